package com.eazepay.backup.kubernetes;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.TestClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backups and restores through the real engine (FileSystemStorage, zstd, age) against fabric8's
 * mock API server in CRUD mode (no real API server can run here).
 */
class KubernetesSourceTest {

    @TempDir
    Path dir;

    private final TestClock clock = TestClock.create();
    private final AgeKeys keys = AgeKeys.generate();
    private MockCluster cluster;
    private final List<ConfigMap> configMaps = new ArrayList<>();
    private final List<Secret> secrets = new ArrayList<>();

    @BeforeEach
    void seed() {
        cluster = new MockCluster();
        for (String ns : List.of("payments", "ledger", "other")) {
            cluster.namespace(ns);
        }
        int seed = 0;
        for (String ns : List.of("payments", "ledger")) {
            for (String name : List.of("app", "feature-flags", "zz-last")) {
                configMaps.add(cluster.configMap(ns, name, seed++));
            }
            for (String name : List.of("db-credentials", "tls")) {
                secrets.add(cluster.secret(ns, name, seed++));
            }
        }
        cluster.configMap("other", "not-selected", 99);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private BackupEngine engine(BackupSource source) {
        return Backup.engine().repository(FileSystemStorage.at(dir.resolve("repo"))).compression(Codecs.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(source).clock(clock).build();
    }

    private KubernetesSource source() {
        return KubernetesSource.builder("k8s").client(cluster.client).namespaces("payments", "ledger").build();
    }

    /** What must survive a round trip: data, binary data, labels, annotations (minus kubectl's), type, immutable. */
    static Map<String, Object> essence(HasMetadata o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", o.getKind());
        m.put("name", o.getMetadata().getName());
        m.put("labels", o.getMetadata().getLabels());
        Map<String, String> annotations = new LinkedHashMap<>(o.getMetadata().getAnnotations() == null ? Map.of()
                : o.getMetadata().getAnnotations());
        annotations.remove(ObjectYaml.LAST_APPLIED);
        m.put("annotations", annotations);
        if (o instanceof ConfigMap cm) {
            m.put("data", cm.getData());
            m.put("binaryData", cm.getBinaryData());
            m.put("immutable", cm.getImmutable());
        } else if (o instanceof Secret s) {
            m.put("data", s.getData());
            m.put("type", s.getType());
            m.put("immutable", s.getImmutable());
        }
        return m;
    }

    private List<Map<String, Object>> essences(KubernetesClient client, String ns) {
        List<Map<String, Object>> all = new ArrayList<>();
        client.configMaps().inNamespace(ns).list().getItems().forEach(c -> all.add(essence(c)));
        client.secrets().inNamespace(ns).list().getItems().forEach(s -> all.add(essence(s)));
        return all;
    }

    private List<Map<String, Object>> originals(String ns) {
        List<Map<String, Object>> all = new ArrayList<>();
        configMaps.stream().filter(c -> c.getMetadata().getNamespace().equals(ns)).forEach(c -> all.add(essence(c)));
        secrets.stream().filter(s -> s.getMetadata().getNamespace().equals(ns)).forEach(s -> all.add(essence(s)));
        return all;
    }

    @Test
    void integrityParsesTheYamlStreamAndComparesObjectCountsWithoutTouchingACluster() {
        try (BackupEngine engine = engine(source())) {
            engine.backup("k8s").run();

            com.eazepay.backup.IntegrityReport report = engine.verify("k8s").integrity().orThrow();

            java.util.List<com.eazepay.backup.CheckResult> checks = report.targets().get(0).validation().values().iterator().next();
            assertThat(checks).isNotEmpty();
            assertThat(checks.get(0).name()).isEqualTo("yaml parses");
            assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
        }
    }

    @Test
    void configMapsAndSecretsWithBinaryDataRoundTripThroughTheEngineIntoRemappedNamespaces() throws IOException {
        try (BackupEngine engine = engine(source())) {
            BackupResult r = engine.backup("k8s").run();
            Manifest m = r.manifest();
            assertThat(m.sourceType()).isEqualTo("kubernetes");
            assertThat(m.stream("objects")).get().extracting(Manifest.StreamInfo::object).isEqualTo("objects.yaml.zst.age");
            assertThat(m.facts().get("objects")).isEqualTo(Map.of(
                    "ConfigMap", Map.of("ledger", 3L, "payments", 3L),
                    "Secret", Map.of("ledger", 2L, "payments", 2L)));
            assertThat(m.facts()).containsEntry("objectCount", 10L);
            try (var files = Files.walk(dir.resolve("repo"))) {
                assertThat(files.map(p -> p.getFileName().toString())).contains("objects.yaml.zst.age", "manifest.json");
            }

            RestoreResult rr = engine.restore("k8s").latest().into(KubernetesTarget.cluster(cluster.client)
                    .namespace("payments", "payments-restore").namespace("ledger", "ledger-restore")).run();
            assertThat(rr.checks()).extracting(CheckResult::passed).containsOnly(true);
            assertThat((List<Object>) rr.facts().get("created")).hasSize(10).contains("Secret payments-restore/tls");
            assertThat(rr.facts().get("namespacesCreated")).isEqualTo(List.of("ledger-restore", "payments-restore"));
        }
        assertThat(essences(cluster.client, "payments-restore")).containsExactlyInAnyOrderElementsOf(originals("payments"));
        assertThat(essences(cluster.client, "ledger-restore")).containsExactlyInAnyOrderElementsOf(originals("ledger"));
        assertThat(cluster.client.configMaps().inNamespace("payments-restore").withName("app").get().getMetadata()
                .getOwnerReferences()).as("ownerReferences dropped by default").isEmpty();
        assertThat(cluster.client.configMaps().inNamespace("other-restore").list().getItems()).isEmpty();
    }

    @Test
    void streamIsSortedByKindNamespaceNameWithServerAssignedFieldsStripped() throws IOException {
        Path raw = dir.resolve("raw");
        source().backup(com.eazepay.backup.test.DirectoryBackupContext.in(raw));
        String yaml = Files.readString(raw.resolve("objects.yaml"), StandardCharsets.UTF_8);
        assertThat(yaml).contains("\n  namespace: \"payments\"\n"); // what the README's sed remap relies on
        assertThat(yaml).startsWith("---\n").doesNotContain("uid:", "resourceVersion", "creationTimestamp", "managedFields",
                "generation", "selfLink", "status:", ObjectYaml.LAST_APPLIED, "ownerReferences", "not-selected");
        List<String> order = new ArrayList<>();
        ObjectYaml.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), o -> order.add(ObjectYaml.describe(o)));
        assertThat(order).containsExactly("ConfigMap ledger/app", "ConfigMap ledger/feature-flags", "ConfigMap ledger/zz-last",
                "ConfigMap payments/app", "ConfigMap payments/feature-flags", "ConfigMap payments/zz-last",
                "Secret ledger/db-credentials", "Secret ledger/tls", "Secret payments/db-credentials", "Secret payments/tls");

        Path withOwners = dir.resolve("owners");
        KubernetesSource.builder("k8s").client(cluster.client).namespaces("payments").keepOwnerReferences().build()
                .backup(com.eazepay.backup.test.DirectoryBackupContext.in(withOwners));
        assertThat(Files.readString(withOwners.resolve("objects.yaml"))).contains("ownerReferences", "0b7c-uid");
    }

    @Test
    void yamlStreamAppliedByASecondClientToAnotherClusterEqualsTheOriginals() throws IOException {
        Path raw = dir.resolve("raw");
        KubernetesSource.builder("k8s").client(cluster.client).build().backup(com.eazepay.backup.test.DirectoryBackupContext.in(raw));
        try (MockCluster second = new MockCluster(); InputStream in = Files.newInputStream(raw.resolve("objects.yaml"))) {
            // what `kubectl apply -f objects.yaml` does for new objects: create each document as written
            List<HasMetadata> items = second.client.load(in).items();
            assertThat(items).hasSize(11);
            second.client.resourceList(items).create();
            for (String ns : List.of("payments", "ledger")) {
                assertThat(essences(second.client, ns)).containsExactlyInAnyOrderElementsOf(originals(ns));
            }
            assertThat(second.client.configMaps().inNamespace("other").withName("not-selected").get()).isNotNull();
        }
    }

    @Test
    void dryRunListsCreatedChangedUnchangedAndConflictsAndWritesNothing() {
        try (BackupEngine engine = engine(source())) {
            engine.backup("k8s").run();
            cluster.client.configMaps().inNamespace("payments").withName("app").delete();
            cluster.client.configMaps().inNamespace("payments").withName("feature-flags")
                    .edit(c -> new ConfigMapBuilder(c).addToData("new-flag", "on").build());
            cluster.configMap("payments", "not-in-backup", 42);

            RestoreResult plain = engine.restore("k8s").latest().into(KubernetesTarget.cluster(cluster.client).dryRun()).run();
            assertThat(plain.facts()).containsEntry("dryRun", true)
                    .containsEntry("created", List.of("ConfigMap payments/app"))
                    .containsEntry("changed", List.of())
                    .containsEntry("conflicts", List.of("ConfigMap payments/feature-flags: exists and differs (replaceExisting() overwrites it)"));
            assertThat((List<?>) plain.facts().get("unchanged")).hasSize(8);

            RestoreResult replacing = engine.restore("k8s").latest()
                    .into(KubernetesTarget.cluster(cluster.client).replaceExisting().dryRun()).run();
            assertThat(replacing.facts()).containsEntry("created", List.of("ConfigMap payments/app"))
                    .containsEntry("changed", List.of("ConfigMap payments/feature-flags")).containsEntry("conflicts", List.of());
            assertThat(cluster.client.configMaps().inNamespace("payments").withName("app").get()).as("dry run wrote").isNull();

            assertThatThrownBy(() -> engine.restore("k8s").latest().into(KubernetesTarget.cluster(cluster.client)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                    .hasMessageContaining("ConfigMap payments/feature-flags").hasMessageContaining("nothing was written");
            assertThat(cluster.client.configMaps().inNamespace("payments").withName("app").get()).as("refused restore wrote").isNull();

            RestoreResult done = engine.restore("k8s").latest().into(KubernetesTarget.cluster(cluster.client).replaceExisting()).run();
            assertThat(done.facts()).containsEntry("dryRun", false).containsEntry("created", List.of("ConfigMap payments/app"))
                    .containsEntry("changed", List.of("ConfigMap payments/feature-flags"));
        }
        assertThat(essences(cluster.client, "payments")).containsAll(originals("payments"));
        assertThat(cluster.client.configMaps().inNamespace("payments").withName("not-in-backup").get())
                .as("never deletes what the backup does not hold").isNotNull();
    }

    @Test
    void immutableConfigMapThatDiffersIsAConflictUnlessRecreateImmutableIsGiven() {
        ConfigMap frozen = cluster.client.configMaps().inNamespace("payments").resource(new ConfigMapBuilder()
                .withNewMetadata().withNamespace("payments").withName("frozen").endMetadata()
                .addToData("version", "1").withImmutable(true).build()).create();
        try (BackupEngine engine = engine(source())) {
            engine.backup("k8s").run();
            // the mock server does not enforce immutability; a real one refuses the update (HTTP 422)
            cluster.client.configMaps().inNamespace("payments").withName("frozen")
                    .edit(c -> new ConfigMapBuilder(c).addToData("version", "2").build());

            assertThatThrownBy(() -> engine.restore("k8s").latest().into(KubernetesTarget.cluster(cluster.client).replaceExisting()).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                    .hasMessageContaining("ConfigMap payments/frozen: immutable and differs");
            assertThat(cluster.client.configMaps().inNamespace("payments").withName("frozen").get().getData()).containsEntry("version", "2");

            RestoreResult r = engine.restore("k8s").latest()
                    .into(KubernetesTarget.cluster(cluster.client).replaceExisting().recreateImmutable()).run();
            assertThat(r.facts()).containsEntry("recreated", List.of("ConfigMap payments/frozen"));
        }
        ConfigMap restored = cluster.client.configMaps().inNamespace("payments").withName("frozen").get();
        assertThat(essence(restored)).isEqualTo(essence(frozen));
        assertThat(restored.getImmutable()).isTrue();
    }

    @Test
    void secretBackupWithEncryptionDisabledIsRefused() {
        KubernetesSource withSecrets = source();
        assertThat(withSecrets.sensitive()).isTrue();
        assertThatThrownBy(() -> Backup.engine().repository(FileSystemStorage.at(dir.resolve("plain")))
                .encryption(Codecs.noEncryption()).source(withSecrets).clock(clock).build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("k8s").hasMessageContaining("sensitive");

        KubernetesSource configMapsOnly = KubernetesSource.builder("cm").client(cluster.client).kinds("ConfigMap").build();
        assertThat(configMapsOnly.sensitive()).isFalse();
        try (BackupEngine plain = Backup.engine().repository(FileSystemStorage.at(dir.resolve("plain")))
                .encryption(Codecs.noEncryption()).source(configMapsOnly).clock(clock).build()) {
            assertThat(plain.backup("cm").run().manifest().facts()).containsEntry("objectCount", 7L);
        }
    }

    @Test
    void validatorChecksYamlAndObjectCountsAgainstTheManifest() throws IOException {
        Path raw = dir.resolve("raw");
        Map<String, Object> facts = new LinkedHashMap<>();
        source().backup(com.eazepay.backup.test.DirectoryBackupContext.in(raw).onFact(facts::put));
        byte[] yaml = Files.readAllBytes(raw.resolve("objects.yaml"));
        Manifest manifest;
        try (BackupEngine engine = engine(source())) {
            manifest = engine.backup("k8s").run().manifest();
        }
        assertThat(KubernetesSource.validate(new ByteArrayInputStream(yaml), manifest))
                .hasSize(5).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());

        String text = new String(yaml, StandardCharsets.UTF_8);
        String withoutLast = text.substring(0, text.lastIndexOf("---\n"));
        assertThat(KubernetesSource.validate(new ByteArrayInputStream(withoutLast.getBytes(StandardCharsets.UTF_8)), manifest))
                .filteredOn(c -> !c.passed()).singleElement()
                .isEqualTo(CheckResult.failed("objects Secret payments", "manifest 2, stream 1"));

        List<CheckResult> broken = KubernetesSource.validate(new ByteArrayInputStream(
                (text + "---\nkind: [unclosed\n").getBytes(StandardCharsets.UTF_8)), manifest);
        assertThat(broken).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.name()).isEqualTo("yaml parses");
            assertThat(c.detail()).contains("after document 10");
        });
        assertThat(KubernetesSource.validate(new ByteArrayInputStream("---\nfoo: bar\n".getBytes(StandardCharsets.UTF_8)), manifest))
                .singleElement().satisfies(c -> assertThat(c.detail()).contains("lacks apiVersion, kind or metadata.name"));
    }

    @Test
    void directoryTargetWritesOneFilePerObjectAndRefusesToOverwriteADifferentFile() throws IOException {
        Path out = dir.resolve("out");
        try (BackupEngine engine = engine(source())) {
            engine.backup("k8s").run();
            RestoreResult r = engine.restore("k8s").latest().into(KubernetesTarget.directory(out).namespace("ledger", "ledger2")).run();
            assertThat(r.checks()).extracting(CheckResult::passed).containsOnly(true);
            try (var files = Files.walk(out)) {
                assertThat(files.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().toList()).containsExactly(
                        "ledger2/configmap/app.yaml", "ledger2/configmap/feature-flags.yaml", "ledger2/configmap/zz-last.yaml",
                        "ledger2/secret/db-credentials.yaml", "ledger2/secret/tls.yaml",
                        "payments/configmap/app.yaml", "payments/configmap/feature-flags.yaml", "payments/configmap/zz-last.yaml",
                        "payments/secret/db-credentials.yaml", "payments/secret/tls.yaml");
            }
            try (InputStream in = Files.newInputStream(out.resolve("ledger2/secret/tls.yaml"))) {
                Secret s = cluster.client.getKubernetesSerialization().unmarshal(in, Secret.class);
                assertThat(s.getMetadata().getNamespace()).isEqualTo("ledger2");
                assertThat(essence(s)).isEqualTo(essence(secrets.stream()
                        .filter(x -> x.getMetadata().getNamespace().equals("ledger") && x.getMetadata().getName().equals("tls"))
                        .findFirst().orElseThrow()));
            }
            Files.writeString(out.resolve("payments/configmap/app.yaml"), "edited by hand\n");
            assertThatThrownBy(() -> engine.restore("k8s").latest().into(KubernetesTarget.directory(out)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                    .hasMessageContaining("replaceExisting()");
            assertThat(Files.readString(out.resolve("payments/configmap/app.yaml"))).isEqualTo("edited by hand\n");
            engine.restore("k8s").latest().into(KubernetesTarget.directory(out).replaceExisting()).run();
            assertThat(Files.readString(out.resolve("payments/configmap/app.yaml"))).contains("name: app");
        }
    }

    @Test
    void directoryNamesArePathSafe() {
        assertThat(DirectoryRestore.safe("..")).isEqualTo("%2E.");
        assertThat(DirectoryRestore.safe("a/../b")).isEqualTo("a%2F..%2Fb");
        assertThat(DirectoryRestore.safe("")).isEqualTo("%");
        assertThat(DirectoryRestore.safe("tls.example.com")).isEqualTo("tls.example.com");
        GenericKubernetesResource crd = new GenericKubernetesResource();
        crd.setApiVersion("example.com/v1");
        crd.setKind("Widget");
        crd.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("../../etc").build());
        assertThat(DirectoryRestore.pathFor(crd)).isEqualTo(Path.of("_cluster", "widget.example.com", "%2E.%2F..%2Fetc.yaml"));
    }

    @Test
    void customResourcesAndLabelSelectorsAreBackedUpAndRestored() {
        cluster.widget("payments", "blue-widget");
        cluster.client.configMaps().inNamespace("payments").resource(new ConfigMapBuilder().withNewMetadata()
                .withNamespace("payments").withName("cache").addToLabels("app", "cache").endMetadata().build()).create();
        KubernetesSource src = KubernetesSource.builder("k8s").client(cluster.client).namespaces("payments")
                .kinds("ConfigMap").customResource("example.com/v1", "Widget", "widgets", true).labelSelector("app!=cache").build();
        assertThat(src.sensitive()).isFalse();
        try (BackupEngine engine = engine(src)) {
            Manifest m = engine.backup("k8s").run().manifest();
            assertThat(m.facts().get("objects")).isEqualTo(Map.of("ConfigMap", Map.of("payments", 3L), "Widget", Map.of("payments", 1L)));
            assertThat(m.facts()).containsEntry("labelSelector", "app!=cache");
            engine.restore("k8s").latest().into(KubernetesTarget.cluster(cluster.client).namespace("payments", "copy")).run();
        }
        GenericKubernetesResource w = cluster.client.genericKubernetesResources(
                new KindSpec("example.com/v1", "Widget", "widgets", true).context()).inNamespace("copy").withName("blue-widget").get();
        assertThat(w.<Object>get("spec", "color")).isEqualTo("blue");
        assertThat(cluster.client.configMaps().inNamespace("copy").withName("cache").get()).isNull();
    }

    @Test
    void aRestoreIntoAnotherTargetTypeIsRefused() {
        try (BackupEngine engine = engine(source())) {
            engine.backup("k8s").run();
            assertThatThrownBy(() -> engine.restore("k8s").latest().into(com.eazepay.backup.files.FilesTarget.directory(dir)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("KubernetesTarget");
        }
    }

    @Test
    void anUnknownKindNameIsRejectedWhenBuilding() {
        assertThatThrownBy(() -> KubernetesSource.builder("k8s").kinds("Widget"))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("example.com/v1/Widget");
    }

    @Test
    void aRefusedListFailsTheBackupNamingTheRbacVerbsAndNothingIsCommitted() {
        cluster.server.expect().get().withPath("/api/v1/namespaces/ledger/secrets?limit=500")
                .andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}")
                .always();
        try (BackupEngine engine = engine(source())) {
            assertThatThrownBy(() -> engine.backup("k8s").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED);
                        assertThat(e.isRetryable()).isFalse();
                    })
                    .hasMessageContaining("listing secrets in namespace ledger was refused (HTTP 403)")
                    .hasMessageContaining("get/list");
            assertThat(engine.list("k8s")).isEmpty();
        }
    }

    @Test
    void anUnreachableApiServerFailsTheBackupAsRetryableSourceUnavailableWithoutCredentialsInMessages() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + port).withRequestRetryBackoffLimit(0).withConnectionTimeout(2000)
                .withOauthToken("tok-SECRET-4711").withUsername("admin").withPassword("pw-SECRET-0815").build();
        KubernetesSource source = KubernetesSource.builder("k8s").config(config).namespaces("payments").build();
        assertThat(source.toString()).doesNotContain("SECRET", "admin");
        try (BackupEngine engine = engine(source)) {
            assertThatThrownBy(() -> engine.backup("k8s").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(CoreErrorCode.SOURCE_UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                    })
                    .hasMessageContaining("could not be reached")
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain("SECRET");
                        }
                    });
        }
    }

    @Test
    void aRestoreHostNeedsOnlyTheSourceNameTheKeyAndATarget() {
        try (BackupEngine engine = engine(source())) {
            engine.backup("k8s").run();
        }
        // a disaster-recovery host: no access to the backed-up cluster (building the source connects to nothing)
        try (BackupEngine restoring = Backup.engine().repository(FileSystemStorage.at(dir.resolve("repo")))
                .encryption(AgeEncryption.decryptOnly().withIdentities(keys.identity()))
                .source(KubernetesSource.builder("k8s").build()).clock(clock).build();
             MockCluster fresh = new MockCluster()) {
            RestoreResult r = restoring.restore("k8s").latest().into(KubernetesTarget.cluster(fresh.client)).run();
            assertThat(r.checksPassed()).isTrue();
            for (String ns : List.of("payments", "ledger")) {
                assertThat(essences(fresh.client, ns)).containsExactlyInAnyOrderElementsOf(originals(ns));
            }
        }
    }

    /** The CRUD mock ignores {@code limit}; scripted pages show that continue tokens are followed. */
    @Test
    void listPagesAreFollowedThroughContinueTokens() throws IOException {
        String page1 = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMapList\",\"metadata\":{\"continue\":\"tok-2\"},\"items\":["
                + "{\"metadata\":{\"name\":\"a\",\"namespace\":\"paged\",\"resourceVersion\":\"7\"},\"data\":{\"k\":\"1\"}}]}";
        String page2 = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMapList\",\"metadata\":{},\"items\":["
                + "{\"metadata\":{\"name\":\"b\",\"namespace\":\"paged\"},\"data\":{\"k\":\"2\"}}]}";
        cluster.server.expect().get().withPath("/api/v1/namespaces/paged/configmaps?limit=500").andReturn(200, page1).once();
        cluster.server.expect().get().withPath("/api/v1/namespaces/paged/configmaps?continue=tok-2&limit=500").andReturn(200, page2).once();
        cluster.server.expect().get().withPath("/api/v1/namespaces/paged/configmaps?limit=500&continue=tok-2").andReturn(200, page2).once();
        Path raw = dir.resolve("paged");
        Map<String, Object> facts = new LinkedHashMap<>();
        KubernetesSource.builder("k8s").client(cluster.client).namespaces("paged").kinds("ConfigMap").build()
                .backup(com.eazepay.backup.test.DirectoryBackupContext.in(raw).onFact(facts::put));
        List<String> names = new ArrayList<>();
        ObjectYaml.read(Files.newInputStream(raw.resolve("objects.yaml")), o -> names.add(ObjectYaml.describe(o)));
        assertThat(names).containsExactly("ConfigMap paged/a", "ConfigMap paged/b");
        assertThat(facts).containsEntry("objectCount", 2L);
    }

    /** A kind given as apiVersion/Kind is resolved through API discovery (scripted: the CRUD mock serves none). */
    @Test
    void aKindGivenByApiVersionAndNameIsResolvedByDiscovery() {
        cluster.server.expect().get().withPath("/apis/example.com/v1").andReturn(200, new io.fabric8.kubernetes.api.model.APIResourceListBuilder()
                .withGroupVersion("example.com/v1").withResources(
                        new io.fabric8.kubernetes.api.model.APIResourceBuilder().withName("widgets/status").withKind("Widget")
                                .withNamespaced(true).build(),
                        new io.fabric8.kubernetes.api.model.APIResourceBuilder().withName("widgets").withKind("Widget")
                                .withNamespaced(true).build()).build()).always();
        cluster.widget("payments", "blue-widget");
        try (BackupEngine engine = engine(KubernetesSource.builder("k8s").client(cluster.client).kinds("example.com/v1/Widget").build())) {
            Manifest m = engine.backup("k8s").run().manifest();
            assertThat(m.facts().get("objects")).isEqualTo(Map.of("Widget", Map.of("payments", 1L)));
            assertThat(m.facts().get("resources")).isEqualTo(List.of(Map.of("apiVersion", "example.com/v1", "kind", "Widget",
                    "plural", "widgets", "namespaced", true)));
        }
        try (BackupEngine engine = engine(KubernetesSource.builder("k8s").client(cluster.client).kinds("example.com/v1/Gadget").build())) {
            assertThatThrownBy(() -> engine.backup("k8s").run()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED)).hasMessageContaining("no kind Gadget in example.com/v1");
        }
    }
}
