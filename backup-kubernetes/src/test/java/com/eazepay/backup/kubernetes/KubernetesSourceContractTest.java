package com.eazepay.backup.kubernetes;

import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.SourceContract;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KubernetesSource} passes the source contract against fabric8's mock API server in CRUD mode
 * (in-process, loopback; no real API server can run here), restoring into a fresh directory of YAML files
 * ({@link KubernetesTarget#directory}) each time. The mock server needs no credentials, so the fixture has no
 * secret; the secret checks run against a bearer token configured for an API server that is not there.
 */
class KubernetesSourceContractTest extends SourceContract {

    static MockCluster cluster;
    static final List<HasMetadata> originals = new ArrayList<>();
    static final List<Path> directories = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = new MockCluster();
        int seed = 0;
        for (String ns : List.of("payments", "ledger")) {
            cluster.namespace(ns);
            originals.add(cluster.configMap(ns, "app", seed++));
            originals.add(cluster.secret(ns, "db-credentials", seed++));
            originals.add(cluster.secret(ns, "tls", seed++));
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        for (Path d : directories) {
            try (Stream<Path> files = Files.walk(d)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    protected BackupSource newSource(String name) {
        return KubernetesSource.builder(name).client(cluster.client).namespaces("payments", "ledger").build();
    }

    @Override
    protected RestoreTarget newTarget() {
        try {
            Path d = Files.createTempDirectory("k8s-contract-");
            directories.add(d);
            return KubernetesTarget.directory(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void assertRestored(RestoreTarget target) {
        Path root = ((KubernetesTarget) target).directoryPath();
        assertThat(originals).hasSize(6);
        for (HasMetadata o : originals) {
            String ns = o.getMetadata().getNamespace();
            Path file = root.resolve(ns).resolve(o.getKind().toLowerCase()).resolve(o.getMetadata().getName() + ".yaml");
            assertThat(file).as("restored file for " + o.getKind() + " " + ns + "/" + o.getMetadata().getName()).isRegularFile();
            try (InputStream in = Files.newInputStream(file)) {
                Class<? extends HasMetadata> type = o instanceof ConfigMap ? ConfigMap.class : Secret.class;
                HasMetadata restored = cluster.client.getKubernetesSerialization().unmarshal(in, type);
                assertThat(restored.getMetadata().getNamespace()).isEqualTo(ns);
                Map<String, Object> expected = KubernetesSourceTest.essence(o);
                assertThat(KubernetesSourceTest.essence(restored)).isEqualTo(expected);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    protected boolean expectedSensitive() {
        return true; // Secrets are among the default kinds
    }

    @Override
    protected List<String> acceptedTargetTypes() {
        return List.of("KubernetesTarget");
    }

    @Override
    protected BackupSource unreachableSourceWithSecret(String name, String secret) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + closedPort())
                .withOauthToken(secret).withTrustCerts(true).withConnectionTimeout(1000).withRequestTimeout(1000)
                .withRequestRetryBackoffLimit(0).build();
        return KubernetesSource.builder(name).config(config).namespaces("payments").build();
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
