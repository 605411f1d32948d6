package com.eazepay.backup.kubernetes;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Backs up Kubernetes objects (ConfigMaps and Secrets by default; any kind, custom resources
 * included) through the API server with the fabric8 client: no {@code kubectl}.
 *
 * <p>One stream, {@value #STREAM}, format {@code yaml} (stored as {@code objects.yaml.zst.age}):
 * a multi-document YAML stream ({@code ---} between objects) sorted by kind, namespace and name,
 * with server-assigned fields removed (uid, resourceVersion, managedFields, creationTimestamp,
 * generation, selfLink, status, the {@code kubectl.kubernetes.io/last-applied-configuration}
 * annotation; ownerReferences unless {@link Builder#keepOwnerReferences()}), so that
 * {@code age -d -i key.txt objects.yaml.zst.age | zstd -d | kubectl apply -f -} restores it.
 *
 * <p>Manifest facts: {@code objects} (counts per kind, then per namespace; {@code ""} for
 * cluster-scoped objects), {@code objectCount}, {@code resources} (apiVersion, kind, plural,
 * namespaced of every kind backed up, so a restore needs no discovery), {@code namespaces} (the
 * requested namespaces, empty for all), {@code labelSelector}, {@code fieldSelector}.
 *
 * <p>A backup that includes Secrets is {@linkplain #sensitive() sensitive}: the engine refuses to
 * store it unencrypted. Restores into a {@link KubernetesTarget}. Errors: {@code SOURCE_UNAVAILABLE}
 * (retryable) when the API server cannot be reached, {@code SOURCE_FAILED} when it refuses a list
 * (RBAC: {@code get}/{@code list} on every kind is needed), {@code TARGET_NOT_EMPTY} for restore conflicts.
 *
 * <p>Objects are listed in pages of {@value #PAGE_SIZE} and held in memory to be sorted: sized for
 * configuration objects (thousands of ConfigMaps), not for event or pod histories.
 */
public final class KubernetesSource implements BackupSource {

    /** The stream name. */
    public static final String STREAM = "objects";
    /** The stream format (file extension). */
    public static final String FORMAT = "yaml";
    static final long PAGE_SIZE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);

    private final String name;
    private final Supplier<KubernetesClient> clients;
    private final boolean ownsClients;
    private final List<String> namespaces;
    private final List<Object> kinds; // KindSpec, or String[]{apiVersion, kind} resolved by discovery
    private final String labelSelector;
    private final String fieldSelector;
    private final boolean keepOwnerReferences;
    private final boolean markedSensitive;

    private KubernetesSource(Builder b) {
        this.name = b.name;
        this.ownsClients = b.client == null;
        Config config = b.config;
        this.clients = b.client != null ? () -> b.client
                : () -> new KubernetesClientBuilder().withConfig(config != null ? config : Config.autoConfigure(null)).build();
        this.namespaces = List.copyOf(b.namespaces);
        this.kinds = List.copyOf(b.kinds.isEmpty() ? List.of(KindSpec.CONFIG_MAP, KindSpec.SECRET) : b.kinds);
        this.labelSelector = b.labelSelector;
        this.fieldSelector = b.fieldSelector;
        this.keepOwnerReferences = b.keepOwnerReferences;
        this.markedSensitive = b.sensitive;
    }

    /** Starts a source named {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "kubernetes";
    }

    /** True when Secrets are backed up (or the source was marked sensitive). */
    @Override
    public boolean sensitive() {
        return markedSensitive || kinds.stream().anyMatch(k -> k instanceof KindSpec ks ? ks.kind().equals("Secret")
                : ((String[]) k)[1].equals("Secret"));
    }

    @Override
    public void backup(BackupContext context) {
        KubernetesClient client = clients.get();
        try {
            List<KindSpec> specs = new ArrayList<>();
            for (Object k : kinds) {
                specs.add(k instanceof KindSpec ks ? ks : discover(client, ((String[]) k)[0], ((String[]) k)[1]));
            }
            List<GenericKubernetesResource> objects = new ArrayList<>();
            for (KindSpec spec : specs) {
                if (!spec.namespaced() || namespaces.isEmpty()) {
                    list(client, spec, null, objects);
                } else {
                    for (String ns : namespaces) {
                        list(client, spec, ns, objects);
                    }
                }
            }
            objects.sort(ObjectYaml.ORDER);
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            OutputStream out = context.newStream(STREAM, FORMAT);
            try {
                for (GenericKubernetesResource r : objects) {
                    ObjectYaml.write(ObjectYaml.strip(r, keepOwnerReferences), out);
                    counts.computeIfAbsent(r.getKind(), x -> new TreeMap<>())
                            .merge(Objects.toString(r.getMetadata().getNamespace(), ""), 1L, Long::sum);
                }
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "storing the objects of '" + name + "' failed: "
                        + e.getMessage(), e);
            }
            try {
                out.close();
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "storing the objects of '" + name + "' failed: "
                        + e.getMessage(), e);
            }
            context.fact("objects", counts);
            context.fact("objectCount", (long) objects.size());
            context.fact("resources", specs.stream().map(KindSpec::toFact).toList());
            context.fact("namespaces", namespaces);
            if (labelSelector != null) {
                context.fact("labelSelector", labelSelector);
            }
            if (fieldSelector != null) {
                context.fact("fieldSelector", fieldSelector);
            }
            LOG.info("kubernetes source '{}': {} objects of {} kinds", name, objects.size(), specs.size());
        } finally {
            if (ownsClients) {
                client.close();
            }
        }
    }

    private void list(KubernetesClient client, KindSpec spec, String namespace, List<GenericKubernetesResource> into) {
        MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op =
                client.genericKubernetesResources(spec.context());
        String cont = null;
        do {
            ListOptions options = new ListOptionsBuilder().withLimit(PAGE_SIZE).withContinue(cont)
                    .withLabelSelector(labelSelector).withFieldSelector(fieldSelector).build();
            GenericKubernetesResourceList page;
            try {
                page = !spec.namespaced() ? op.list(options)
                        : namespace == null ? op.inAnyNamespace().list(options) : op.inNamespace(namespace).list(options);
            } catch (KubernetesClientException e) {
                throw failure("listing " + spec.plural() + (namespace == null ? "" : " in namespace " + namespace), e);
            }
            for (GenericKubernetesResource r : page.getItems()) {
                // list items may omit apiVersion/kind: set them from the spec
                r.setApiVersion(spec.apiVersion());
                r.setKind(spec.kind());
                into.add(r);
            }
            cont = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (cont != null && !cont.isEmpty());
    }

    private KindSpec discover(KubernetesClient client, String apiVersion, String kind) {
        APIResourceList list;
        try {
            list = client.getApiResources(apiVersion);
        } catch (KubernetesClientException e) {
            throw failure("discovering kind " + kind + " in " + apiVersion, e);
        }
        if (list != null) {
            for (APIResource r : list.getResources()) {
                if (kind.equals(r.getKind()) && !r.getName().contains("/")) {
                    return new KindSpec(apiVersion, kind, r.getName(), Boolean.TRUE.equals(r.getNamespaced()));
                }
            }
        }
        throw new BackupException(CoreErrorCode.SOURCE_FAILED, "kubernetes source '" + name + "': the API server has no kind "
                + kind + " in " + apiVersion + "; check the kind and apiVersion (kubectl api-resources), or give the plural with "
                + "customResource(apiVersion, kind, plural, namespaced)");
    }

    private BackupException failure(String what, KubernetesClientException e) {
        int code = e.getCode();
        if (code == 401 || code == 403) {
            return new BackupException(CoreErrorCode.SOURCE_FAILED, "kubernetes source '" + name + "': " + what
                    + " was refused (HTTP " + code + "): grant get/list on it to the service account or kubeconfig user", e);
        }
        if (code <= 0 || code >= 500) { // <= 0: no HTTP answer at all
            return new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, "kubernetes source '" + name + "': " + what
                    + " failed: the API server could not be reached or failed (" + rootCause(e) + ")", e);
        }
        return new BackupException(CoreErrorCode.SOURCE_FAILED, "kubernetes source '" + name + "': " + what + " failed (HTTP "
                + code + "): " + e.getMessage(), e);
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof KubernetesTarget k8s)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a kubernetes backup restores into a KubernetesTarget "
                    + "(KubernetesTarget.directory(path) or KubernetesTarget.cluster(client)), not " + target.describe());
        }
        return restoreInto(context, k8s);
    }

    /**
     * Restores a backup of this source type into {@code target}; usable without configuring a
     * source (a disaster-recovery host knows only the repository, the key and the target).
     */
    static RestoreOutcome restoreInto(RestoreContext context, KubernetesTarget target) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        try (InputStream in = context.openStream(STREAM)) {
            ObjectYaml.read(in, objects::add); // the whole stream, verified, before anything is written
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, KindSpec> resources = new LinkedHashMap<>();
        if (context.manifest().facts().get("resources") instanceof List<?> list) {
            for (Object o : list) {
                KindSpec s = KindSpec.fromFact(o);
                if (s != null) {
                    resources.put(s.apiVersion() + "/" + s.kind(), s);
                }
            }
        }
        for (GenericKubernetesResource r : objects) {
            if (r.getMetadata().getNamespace() != null) {
                r.getMetadata().setNamespace(target.mapNamespace(r.getMetadata().getNamespace()));
            }
        }
        RestorePlan plan = target.directoryPath() != null
                ? DirectoryRestore.restore(objects, target)
                : new ClusterRestore(target, resources).restore(objects);
        List<CheckResult> checks = new ArrayList<>();
        if (context.manifest().facts().get("objectCount") instanceof Number n && !target.isDryRun()) {
            long restored = plan.created().size() + plan.changed().size() + plan.unchanged().size();
            String detail = "expected " + n.longValue() + ", restored or already equal " + restored;
            checks.add(n.longValue() == restored ? CheckResult.passed("objects restored", detail)
                    : CheckResult.failed("objects restored", detail));
        }
        String location = target.directoryPath() != null ? target.directoryPath().toString() : target.client().getMasterUrl().toString();
        return new RestoreOutcome(location, checks, plan.facts(target.isDryRun()));
    }

    /** {@link #validate(InputStream, Manifest)} as the SPI's format validator, run by {@code engine.verify(..).integrity()}. */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return java.util.Optional.of((streamName, plaintext, manifest) -> validate(plaintext, manifest));
    }

    /**
     * Validates a decrypted, decompressed {@value #STREAM} stream against its manifest: every
     * document parses as a Kubernetes object, and the object counts per kind and namespace equal
     * the manifest's {@code objects} fact. For integrity checks; reads {@code plaintext} to the end
     * and does not close it.
     *
     * @return one check for the parse and one per kind and namespace (each failed check says what differs)
     */
    public static List<CheckResult> validate(InputStream plaintext, Manifest manifest) {
        Map<String, Map<String, Long>> found = new TreeMap<>();
        List<CheckResult> checks = new ArrayList<>();
        long n;
        try {
            n = ObjectYaml.read(plaintext, r -> found.computeIfAbsent(r.getKind(), x -> new TreeMap<>())
                    .merge(Objects.toString(r.getMetadata().getNamespace(), ""), 1L, Long::sum));
        } catch (BackupException e) {
            if (e.errorCode() != CoreErrorCode.CORRUPT_DATA) {
                throw e;
            }
            checks.add(CheckResult.failed("yaml parses", e.getMessage()));
            return checks;
        }
        checks.add(CheckResult.passed("yaml parses", n + " objects"));
        Map<String, Map<String, Long>> expected = new TreeMap<>();
        if (manifest.facts().get("objects") instanceof Map<?, ?> byKind) {
            byKind.forEach((kind, byNs) -> {
                if (byNs instanceof Map<?, ?> m) {
                    m.forEach((ns, count) -> expected.computeIfAbsent(String.valueOf(kind), x -> new TreeMap<>())
                            .put(String.valueOf(ns), ((Number) count).longValue()));
                }
            });
        } else {
            checks.add(CheckResult.failed("object counts", "the manifest has no 'objects' fact"));
            return checks;
        }
        Set<String> kinds = new LinkedHashSet<>(expected.keySet());
        kinds.addAll(found.keySet());
        for (String kind : kinds) {
            Set<String> nss = new LinkedHashSet<>(expected.getOrDefault(kind, Map.of()).keySet());
            nss.addAll(found.getOrDefault(kind, Map.of()).keySet());
            for (String ns : nss) {
                long want = expected.getOrDefault(kind, Map.of()).getOrDefault(ns, 0L);
                long got = found.getOrDefault(kind, Map.of()).getOrDefault(ns, 0L);
                String checkName = "objects " + kind + (ns.isEmpty() ? "" : " " + ns);
                String detail = "manifest " + want + ", stream " + got;
                checks.add(want == got ? CheckResult.passed(checkName, detail) : CheckResult.failed(checkName, detail));
            }
        }
        return checks;
    }

    @Override
    public String toString() {
        return "KubernetesSource[" + name + ", namespaces " + (namespaces.isEmpty() ? "all" : namespaces) + ", kinds "
                + kinds.stream().map(k -> k instanceof KindSpec ks ? ks.kind() : ((String[]) k)[1]).toList() + "]";
    }

    /** Builds a {@link KubernetesSource}. */
    public static final class Builder {
        private final String name;
        private KubernetesClient client;
        private Config config;
        private final List<String> namespaces = new ArrayList<>();
        private final List<Object> kinds = new ArrayList<>();
        private String labelSelector;
        private String fieldSelector;
        private boolean keepOwnerReferences;
        private boolean sensitive;

        private Builder(String name) {
            this.name = SourceNames.requireValid(name);
        }

        /** Uses this client (the caller owns and closes it). */
        public Builder client(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client");
            this.config = null;
            return this;
        }

        /** Connects with this fabric8 {@link Config}; a client is opened and closed for each backup. */
        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config, "config");
            this.client = null;
            return this;
        }

        /**
         * Connects with the kubeconfig file {@code kubeconfig} (its current context).
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} if the file cannot be read or parsed
         */
        public Builder kubeconfig(Path kubeconfig) {
            try {
                return config(Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException e) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "kubeconfig " + kubeconfig
                        + " cannot be read or parsed: " + e.getClass().getSimpleName(), e);
            }
        }

        /**
         * Connects the way fabric8 does by default (the default when nothing is configured): the pod's
         * service account when running in a cluster, else {@code $KUBECONFIG} or {@code ~/.kube/config}.
         */
        public Builder autoConfigure() {
            this.config = null;
            this.client = null;
            return this;
        }

        /** Backs up these namespaces only (default: all namespaces). */
        public Builder namespaces(String... namespaces) {
            for (String ns : namespaces) {
                if (ns == null || !ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "namespace '" + ns
                            + "' is not a valid Kubernetes namespace name");
                }
                this.namespaces.add(ns);
            }
            return this;
        }

        /**
         * Backs up these kinds (replacing the default ConfigMap and Secret). Built-in kinds by name
         * ({@code ConfigMap}, {@code Secret}, {@code Deployment}, {@code Role}, ...); others as
         * {@code apiVersion/Kind} (e.g. {@code example.com/v1/Widget}), resolved by API discovery at
         * backup time.
         */
        public Builder kinds(String... kinds) {
            for (String k : kinds) {
                Objects.requireNonNull(k, "kind");
                int slash = k.lastIndexOf('/');
                if (slash < 0) {
                    KindSpec spec = KindSpec.wellKnown(k);
                    if (spec == null) {
                        throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "kind '" + k + "' is not a built-in "
                                + "kind: give it as apiVersion/Kind (e.g. example.com/v1/" + k + ") or use customResource(..)");
                    }
                    this.kinds.add(spec);
                } else {
                    this.kinds.add(new String[]{k.substring(0, slash), k.substring(slash + 1)});
                }
            }
            return this;
        }

        /** Adds a kind given fully (no discovery needed), e.g. a custom resource {@code ("example.com/v1", "Widget", "widgets", true)}. */
        public Builder customResource(String apiVersion, String kind, String plural, boolean namespaced) {
            this.kinds.add(new KindSpec(apiVersion, kind, plural, namespaced));
            return this;
        }

        /** Only objects matching this label selector ({@code app=payments,tier!=cache}). */
        public Builder labelSelector(String selector) {
            this.labelSelector = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /** Only objects matching this field selector ({@code metadata.name!=kube-root-ca.crt}). */
        public Builder fieldSelector(String selector) {
            this.fieldSelector = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /** Keeps {@code metadata.ownerReferences} (dropped by default: owners' uids differ after a restore). */
        public Builder keepOwnerReferences() {
            this.keepOwnerReferences = true;
            return this;
        }

        /** Marks the source sensitive even without Secrets. */
        public Builder sensitive() {
            this.sensitive = true;
            return this;
        }

        public KubernetesSource build() {
            return new KubernetesSource(this);
        }
    }

    static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
