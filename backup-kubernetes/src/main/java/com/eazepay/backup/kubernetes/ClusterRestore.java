package com.eazepay.backup.kubernetes;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Plans and applies a restore into a cluster. Never deletes an object the backup does not hold. */
final class ClusterRestore {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRestore.class);

    private enum Action { CREATE, UNCHANGED, REPLACE, RECREATE, CONFLICT }

    private record Step(GenericKubernetesResource desired, GenericKubernetesResource live, KindSpec spec, Action action) {
    }

    private final KubernetesTarget target;
    private final KubernetesClient client;
    private final Map<String, KindSpec> resources;

    ClusterRestore(KubernetesTarget target, Map<String, KindSpec> resources) {
        this.target = target;
        this.client = target.client();
        this.resources = resources;
    }

    RestorePlan restore(List<GenericKubernetesResource> objects) {
        RestorePlan plan = new RestorePlan();
        List<Step> steps = new ArrayList<>();
        Set<String> namespaces = new LinkedHashSet<>();
        for (GenericKubernetesResource desired : objects) {
            KindSpec spec = specFor(desired);
            if (spec.namespaced() && desired.getMetadata().getNamespace() == null) {
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, ObjectYaml.describe(desired)
                        + " is of a namespaced kind but has no namespace");
            }
            if (spec.namespaced()) {
                namespaces.add(desired.getMetadata().getNamespace());
            }
            GenericKubernetesResource live = live(spec, desired.getMetadata().getNamespace()).get(desired.getMetadata().getName());
            Action action;
            String what = ObjectYaml.describe(desired);
            if (live == null) {
                action = Action.CREATE;
                plan.created().add(what);
            } else if (ObjectYaml.comparable(live, desired).equals(ObjectYaml.comparable(desired, desired))) {
                action = Action.UNCHANGED;
                plan.unchanged().add(what);
            } else if (isImmutable(live)) {
                if (target.recreatesImmutable()) {
                    action = Action.RECREATE;
                    plan.changed().add(what);
                    plan.recreated().add(what);
                } else {
                    action = Action.CONFLICT;
                    plan.conflicts().add(what + ": immutable and differs (recreateImmutable() deletes and creates it)");
                }
            } else if (target.replaces()) {
                action = Action.REPLACE;
                plan.changed().add(what);
            } else {
                action = Action.CONFLICT;
                plan.conflicts().add(what + ": exists and differs (replaceExisting() overwrites it)");
            }
            steps.add(new Step(desired, live, spec, action));
        }
        for (String ns : namespaces) {
            if (call("reading namespace " + ns, () -> client.namespaces().withName(ns).get()) == null) {
                if (!target.createsNamespaces()) {
                    plan.conflicts().add("Namespace " + ns + ": does not exist (withoutCreatingNamespaces() was given)");
                } else {
                    plan.namespacesCreated().add(ns);
                }
            }
        }
        if (target.isDryRun()) {
            return plan;
        }
        if (!plan.conflicts().isEmpty()) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, plan.conflicts().size() + " object(s) conflict with "
                    + "the cluster, nothing was written; first: " + plan.conflicts().get(0));
        }
        for (String ns : plan.namespacesCreated()) {
            call("creating namespace " + ns, () -> client.namespaces()
                    .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create());
        }
        for (Step s : steps) {
            String what = ObjectYaml.describe(s.desired());
            switch (s.action()) {
                // created with a POST in both modes (a server-side apply of an absent object creates it too)
                case CREATE -> call("creating " + what, () -> op(s.spec(), s.desired()).create());
                case REPLACE -> call("replacing " + what, () -> {
                    if (target.usesServerSideApply()) {
                        return apply(s);
                    }
                    GenericKubernetesResource copy = ObjectYaml.SERIALIZATION.clone(s.desired());
                    copy.getMetadata().setResourceVersion(s.live().getMetadata().getResourceVersion());
                    if (copy.getMetadata().getOwnerReferences() == null || copy.getMetadata().getOwnerReferences().isEmpty()) {
                        // the backup dropped them (uids differ across clusters): keep the live object's owners
                        copy.getMetadata().setOwnerReferences(s.live().getMetadata().getOwnerReferences());
                    }
                    return op(s.spec(), copy).update();
                });
                case RECREATE -> call("recreating immutable " + what, () -> {
                    op(s.spec(), s.desired()).delete();
                    return op(s.spec(), s.desired()).create();
                });
                case UNCHANGED, CONFLICT -> {
                }
            }
        }
        LOG.info("kubernetes restore into {}: {} created, {} changed ({} recreated), {} unchanged", target.describe(),
                plan.created().size(), plan.changed().size(), plan.recreated().size(), plan.unchanged().size());
        return plan;
    }

    private final Map<String, Map<String, GenericKubernetesResource>> liveCache = new java.util.HashMap<>();

    /** The live objects of one kind in one namespace, by name: one paged LIST instead of a GET per object. */
    private Map<String, GenericKubernetesResource> live(KindSpec spec, String namespace) {
        return liveCache.computeIfAbsent(spec.apiVersion() + "/" + spec.kind() + "/" + namespace, k -> {
            Map<String, GenericKubernetesResource> byName = new java.util.HashMap<>();
            MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op =
                    client.genericKubernetesResources(spec.context());
            String cont = null;
            do {
                var options = new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(KubernetesSource.PAGE_SIZE)
                        .withContinue(cont).build();
                GenericKubernetesResourceList page = call("listing " + spec.plural() + (namespace == null ? "" : " in " + namespace),
                        () -> spec.namespaced() ? op.inNamespace(namespace).list(options) : op.list(options));
                for (GenericKubernetesResource r : page.getItems()) {
                    r.setApiVersion(spec.apiVersion());
                    r.setKind(spec.kind());
                    byName.put(r.getMetadata().getName(), r);
                }
                cont = page.getMetadata() == null ? null : page.getMetadata().getContinue();
            } while (cont != null && !cont.isEmpty());
            return byName;
        });
    }

    private GenericKubernetesResource apply(Step s) {
        return op(s.spec(), s.desired()).fieldManager(KubernetesTarget.FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    private Resource<GenericKubernetesResource> op(KindSpec spec, GenericKubernetesResource r) {
        MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op =
                client.genericKubernetesResources(spec.context());
        return spec.namespaced() ? op.inNamespace(r.getMetadata().getNamespace()).resource(r) : op.resource(r);
    }

    private KindSpec specFor(GenericKubernetesResource r) {
        KindSpec s = resources.get(r.getApiVersion() + "/" + r.getKind());
        if (s == null) {
            KindSpec known = KindSpec.wellKnown(r.getKind());
            if (known != null && known.apiVersion().equals(r.getApiVersion())) {
                s = known;
            }
        }
        if (s == null) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, "the manifest does not describe kind " + r.getKind() + " ("
                    + r.getApiVersion() + ") of " + ObjectYaml.describe(r) + " (fact 'resources')");
        }
        return s;
    }

    private static boolean isImmutable(GenericKubernetesResource live) {
        return ("ConfigMap".equals(live.getKind()) || "Secret".equals(live.getKind()))
                && Boolean.TRUE.equals(live.getAdditionalProperties().get("immutable"));
    }

    private <T> T call(String what, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 401 || code == 403) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, what + " was refused (HTTP " + code
                        + "): a restore needs get, list, create, update/patch (and delete for recreateImmutable()) on the kinds", e);
            }
            if (code <= 0 || code >= 500) { // <= 0: no HTTP answer at all
                throw new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, what + " failed: the API server could not be "
                        + "reached or failed (" + rootCause(e) + ")", e);
            }
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, what + " failed (HTTP " + code + "): "
                    + Objects.toString(e.getMessage(), ""), e);
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
