package com.eazepay.backup.kubernetes;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One kind of Kubernetes object: its API group/version, kind, plural (the URL path segment) and
 * whether it lives in a namespace. Recorded in the manifest (fact {@code resources}) so a restore
 * needs no API discovery.
 *
 * @param apiVersion {@code v1}, {@code apps/v1}, {@code example.com/v1alpha1}
 * @param kind       {@code ConfigMap}
 * @param plural     {@code configmaps}
 * @param namespaced whether objects of this kind live in a namespace
 */
public record KindSpec(String apiVersion, String kind, String plural, boolean namespaced) {

    private static final Map<String, KindSpec> WELL_KNOWN = new LinkedHashMap<>();

    static {
        for (KindSpec k : new KindSpec[]{
                new KindSpec("v1", "ConfigMap", "configmaps", true),
                new KindSpec("v1", "Secret", "secrets", true),
                new KindSpec("v1", "ServiceAccount", "serviceaccounts", true),
                new KindSpec("v1", "Service", "services", true),
                new KindSpec("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
                new KindSpec("v1", "LimitRange", "limitranges", true),
                new KindSpec("v1", "ResourceQuota", "resourcequotas", true),
                new KindSpec("v1", "Namespace", "namespaces", false),
                new KindSpec("apps/v1", "Deployment", "deployments", true),
                new KindSpec("apps/v1", "StatefulSet", "statefulsets", true),
                new KindSpec("apps/v1", "DaemonSet", "daemonsets", true),
                new KindSpec("batch/v1", "CronJob", "cronjobs", true),
                new KindSpec("batch/v1", "Job", "jobs", true),
                new KindSpec("networking.k8s.io/v1", "Ingress", "ingresses", true),
                new KindSpec("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", true),
                new KindSpec("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
                new KindSpec("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true),
                new KindSpec("rbac.authorization.k8s.io/v1", "Role", "roles", true),
                new KindSpec("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
                new KindSpec("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
                new KindSpec("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
                new KindSpec("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false),
        }) {
            WELL_KNOWN.put(k.kind().toLowerCase(Locale.ROOT), k);
        }
    }

    public KindSpec {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(plural, "plural");
    }

    /** ConfigMaps ({@code v1}). */
    public static final KindSpec CONFIG_MAP = WELL_KNOWN.get("configmap");
    /** Secrets ({@code v1}). */
    public static final KindSpec SECRET = WELL_KNOWN.get("secret");

    /** A built-in kind by name (case-insensitive), or {@code null} if it is not in the built-in table. */
    static KindSpec wellKnown(String kind) {
        return WELL_KNOWN.get(kind.toLowerCase(Locale.ROOT));
    }

    /** The API group ({@code ""} for the core group). */
    public String group() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** The API version without the group. */
    public String version() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    }

    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder().withGroup(group()).withVersion(version()).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }

    /** The JSON-friendly form stored in the manifest. */
    Map<String, Object> toFact() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apiVersion", apiVersion);
        m.put("kind", kind);
        m.put("plural", plural);
        m.put("namespaced", namespaced);
        return m;
    }

    static KindSpec fromFact(Object fact) {
        if (fact instanceof Map<?, ?> m && m.get("apiVersion") instanceof String a && m.get("kind") instanceof String k
                && m.get("plural") instanceof String p && m.get("namespaced") instanceof Boolean n) {
            return new KindSpec(a, k, p, n);
        }
        return null;
    }
}
