package com.eazepay.backup.kubernetes;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.TestClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's disaster-recovery command with the machine's {@code age} and {@code zstd}:
 * {@code age -d -i key.txt objects.yaml.zst.age | zstd -d} gives YAML that parses (with the fabric8
 * client's serialization, standing in for {@code kubectl apply}) into the objects that were backed up.
 */
class StandardToolsTest {

    @TempDir
    Path dir;

    record Run(int exit, byte[] stdout, String stderr) {
    }

    static Run sh(Path cwd, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(cwd.toFile()).start();
        p.getOutputStream().close();
        byte[][] err = new byte[1][];
        Thread t = new Thread(() -> {
            try {
                err[0] = p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                err[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        t.join();
        return new Run(p.exitValue(), out, new String(err[0], StandardCharsets.UTF_8));
    }

    @Test
    void ageAndZstdDecodeTheStoredStreamIntoYamlThatParsesIntoTheSameObjects() throws Exception {
        TestClock clock = TestClock.create();
        AgeKeys keys = AgeKeys.generate();
        AgeKeys.writeIdentityFile(dir.resolve("key.txt"), keys.identity(), clock);
        try (MockCluster cluster = new MockCluster()) {
            List<HasMetadata> originals = new ArrayList<>();
            for (String ns : List.of("payments", "ledger")) {
                originals.add(cluster.configMap(ns, "app", ns.length()));
                originals.add(cluster.secret(ns, "db-credentials", ns.length() + 1));
            }
            KubernetesSource source = KubernetesSource.builder("k8s").client(cluster.client).build();
            try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(dir.resolve("repo")))
                    .compression(Codecs.zstd()).encryption(AgeEncryption.toRecipients(keys.recipient().encoded()))
                    .source(source).clock(clock).build()) {
                engine.backup("k8s").run();
            }
            Path stored;
            try (Stream<Path> files = Files.walk(dir.resolve("repo"))) {
                stored = files.filter(p -> p.getFileName().toString().equals("objects.yaml.zst.age")).findFirst().orElseThrow();
            }
            Run run = sh(dir, "age -d -i key.txt '" + stored + "' | zstd -d");
            assertThat(run.exit()).as(run.stderr()).isZero();

            List<HasMetadata> parsed = cluster.client.load(new ByteArrayInputStream(run.stdout())).items();
            assertThat(parsed).hasSize(4).allSatisfy(o -> assertThat(o).isInstanceOfAny(ConfigMap.class, Secret.class));
            List<Map<String, Object>> got = parsed.stream().map(KubernetesSourceTest::essence).toList();
            List<Map<String, Object>> want = originals.stream().map(KubernetesSourceTest::essence).toList();
            assertThat(got).containsExactlyInAnyOrderElementsOf(want);
            assertThat(parsed).extracting(o -> o.getMetadata().getNamespace()).containsExactly("ledger", "payments", "ledger", "payments");
            String yaml = new String(run.stdout(), StandardCharsets.UTF_8);
            assertThat(yaml).doesNotContain("resourceVersion", "uid:");
        }
    }

    @Test
    void kubectlAppliesTheDecodedStreamToASecondClusterAndTheObjectsEqualTheOriginals() throws Exception {
        assertThat(Files.isExecutable(Path.of("/usr/bin/kubectl"))).as("kubectl is installed on this machine").isTrue();
        TestClock clock = TestClock.create();
        AgeKeys keys = AgeKeys.generate();
        AgeKeys.writeIdentityFile(dir.resolve("key.txt"), keys.identity(), clock);
        try (MockCluster cluster = new MockCluster(); MockCluster second = new MockCluster()) {
            List<HasMetadata> originals = new ArrayList<>();
            for (String ns : List.of("payments", "ledger")) {
                originals.add(cluster.configMap(ns, "app", ns.length()));
                originals.add(cluster.secret(ns, "db-credentials", ns.length() + 1));
            }
            try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(dir.resolve("repo")))
                    .compression(Codecs.zstd()).encryption(AgeEncryption.toRecipients(keys.recipient().encoded()))
                    .source(KubernetesSource.builder("k8s").client(cluster.client).build()).clock(clock).build()) {
                engine.backup("k8s").run();
            }
            Path stored;
            try (Stream<Path> files = Files.walk(dir.resolve("repo"))) {
                stored = files.filter(p -> p.getFileName().toString().equals("objects.yaml.zst.age")).findFirst().orElseThrow();
            }
            second.serveCoreDiscoveryForKubectl();
            Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
            // the README's command, with its namespace remap (sed), against the second server
            Run run = sh(dir, "age -d -i key.txt '" + stored + "' | zstd -d"
                    + " | sed -E 's/^  namespace: \"?payments\"?$/  namespace: payments-restore/'"
                    + " | KUBECONFIG=kubeconfig kubectl --server=" + second.client.getMasterUrl() + " --validate=false apply -f -");
            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(new String(run.stdout(), StandardCharsets.UTF_8)).contains("configmap/app created", "secret/db-credentials created");
            List<Map<String, Object>> got = new ArrayList<>();
            assertThat(second.client.configMaps().inNamespace("payments").list().getItems()).isEmpty();
            for (String ns : List.of("payments-restore", "ledger")) {
                got.add(KubernetesSourceTest.essence(second.client.configMaps().inNamespace(ns).withName("app").get()));
                got.add(KubernetesSourceTest.essence(second.client.secrets().inNamespace(ns).withName("db-credentials").get()));
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(originals.stream().map(KubernetesSourceTest::essence).toList());
        }
    }
}
