package com.eazepay.backup.kubernetes;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.TestClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Server-side apply restores, and a 1,000-ConfigMap backup/restore whose times are logged (not asserted). */
class ServerSideApplyAndScaleTest {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSideApplyAndScaleTest.class);

    @TempDir
    Path dir;

    private final TestClock clock = TestClock.create();
    private final AgeKeys keys = AgeKeys.generate();

    private BackupEngine engine(KubernetesSource source) {
        return Backup.engine().repository(FileSystemStorage.at(dir.resolve("repo"))).compression(Codecs.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(source).clock(clock).build();
    }

    /**
     * fabric8's mock server cannot apply: it answers a server-side apply PATCH with 415. So this test
     * checks the request a real API server would get (PATCH, apply-patch content type, our field
     * manager, force) and that the refusal surfaces as a clear error; absent objects are created with a POST.
     */
    @Test
    void serverSideApplySendsAnApplyPatchWithOurFieldManagerAndCreatesAbsentObjects() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            cluster.namespace("payments");
            ConfigMap app = cluster.configMap("payments", "app", 1);
            cluster.configMap("payments", "flags", 2);
            try (BackupEngine engine = engine(KubernetesSource.builder("k8s").client(cluster.client).namespaces("payments").build())) {
                engine.backup("k8s").run();
                cluster.client.configMaps().inNamespace("payments").withName("app").delete();
                cluster.client.configMaps().inNamespace("payments").withName("flags")
                        .edit(c -> new ConfigMapBuilder(c).addToData("application.yaml", "changed").build());
                assertThatThrownBy(() -> engine.restore("k8s").latest()
                        .into(KubernetesTarget.cluster(cluster.client).serverSideApply()).run())
                        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED))
                        .hasMessageContaining("replacing ConfigMap payments/flags failed (HTTP 415)");
            }
            RecordedRequest last = cluster.server.getLastRequest();
            assertThat(last.getMethod()).isEqualTo("PATCH");
            assertThat(last.getPath()).isEqualTo("/api/v1/namespaces/payments/configmaps/flags?fieldManager=eazepay-backup&force=true");
            assertThat(last.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
            assertThat(KubernetesSourceTest.essence(cluster.client.configMaps().inNamespace("payments").withName("app").get()))
                    .isEqualTo(KubernetesSourceTest.essence(app));
        }
    }

    @Test
    @Tag("slow")
    void thousandConfigMapsBackupAndRestoreTimes() {
        int n = 1000;
        try (MockCluster cluster = new MockCluster()) {
            cluster.namespace("bulk");
            for (int i = 0; i < n; i++) {
                cluster.configMap("bulk", String.format("cm-%04d", i), i);
            }
            try (BackupEngine engine = engine(KubernetesSource.builder("k8s").client(cluster.client).namespaces("bulk")
                    .kinds("ConfigMap").build())) {
                long t0 = System.nanoTime();
                BackupResult b = engine.backup("k8s").run();
                long t1 = System.nanoTime();
                RestoreResult r = engine.restore("k8s").latest()
                        .into(KubernetesTarget.cluster(cluster.client).namespace("bulk", "bulk-copy")).run();
                long t2 = System.nanoTime();
                RestoreResult dry = engine.restore("k8s").latest()
                        .into(KubernetesTarget.cluster(cluster.client).namespace("bulk", "bulk-copy").dryRun()).run();
                long t3 = System.nanoTime();
                assertThat(b.manifest().facts()).containsEntry("objectCount", (long) n);
                assertThat((List<?>) r.facts().get("created")).hasSize(n);
                assertThat((List<?>) dry.facts().get("unchanged")).hasSize(n);
                LOG.info("{} ConfigMaps: backup {} ms ({} plaintext bytes, {} stored), restore {} ms, dry run {} ms", n,
                        (t1 - t0) / 1_000_000, b.manifest().plaintextBytes(), b.manifest().storedBytes(),
                        (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
            }
        }
    }
}
