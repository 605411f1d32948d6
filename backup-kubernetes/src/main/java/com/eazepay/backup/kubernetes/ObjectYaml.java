package com.eazepay.backup.kubernetes;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/** The YAML stream format: stripping server-assigned fields, writing and reading documents. */
final class ObjectYaml {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** Sort order of the stream: kind, namespace, name (then apiVersion, for two kinds of one name). */
    static final Comparator<GenericKubernetesResource> ORDER = Comparator
            .comparing((GenericKubernetesResource r) -> r.getKind())
            .thenComparing(r -> Objects.toString(r.getMetadata().getNamespace(), ""))
            .thenComparing(r -> r.getMetadata().getName())
            .thenComparing(GenericKubernetesResource::getApiVersion);

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ObjectYaml() {
    }

    /**
     * Removes what the API server assigns, so the object re-applies with {@code kubectl apply -f}:
     * uid, resourceVersion, managedFields, creationTimestamp, generation, selfLink, deletion
     * fields, status and the last-applied annotation; ownerReferences unless kept.
     */
    static GenericKubernetesResource strip(GenericKubernetesResource r, boolean keepOwnerReferences) {
        ObjectMeta m = r.getMetadata();
        m.setUid(null);
        m.setResourceVersion(null);
        m.setManagedFields(null);
        m.setCreationTimestamp(null);
        m.setGeneration(null);
        m.setSelfLink(null);
        m.setDeletionTimestamp(null);
        m.setDeletionGracePeriodSeconds(null);
        if (!keepOwnerReferences) {
            m.setOwnerReferences(null);
        }
        if (m.getAnnotations() != null) {
            Map<String, String> annotations = new LinkedHashMap<>(m.getAnnotations());
            annotations.remove(LAST_APPLIED);
            m.setAnnotations(annotations.isEmpty() ? null : annotations);
        }
        if (m.getLabels() != null && m.getLabels().isEmpty()) {
            m.setLabels(null);
        }
        r.getAdditionalProperties().remove("status");
        return r;
    }

    /** "Kind namespace/name" (or "Kind name" for cluster-scoped objects), for reports and messages. */
    static String describe(GenericKubernetesResource r) {
        String ns = r.getMetadata().getNamespace();
        return r.getKind() + " " + (ns == null ? "" : ns + "/") + r.getMetadata().getName();
    }

    /** Writes one document, preceded by {@code ---}. */
    static void write(GenericKubernetesResource r, OutputStream out) throws IOException {
        String yaml = SERIALIZATION.asYaml(r);
        if (yaml.startsWith("---\n")) {
            yaml = yaml.substring(4);
        }
        out.write("---\n".getBytes(StandardCharsets.UTF_8));
        out.write(yaml.getBytes(StandardCharsets.UTF_8));
        if (!yaml.endsWith("\n")) {
            out.write('\n');
        }
    }

    /** One object as a standalone YAML document. */
    static String toYaml(GenericKubernetesResource r) {
        String yaml = SERIALIZATION.asYaml(r);
        return yaml.startsWith("---\n") ? yaml : "---\n" + yaml;
    }

    /**
     * Reads a multi-document YAML stream one document at a time (memory bounded by the largest
     * object), handing each object to {@code consumer}; empty documents are skipped.
     *
     * @throws BackupException {@code CORRUPT_DATA} naming the document number if a document does not
     *                         parse or is not a Kubernetes object (apiVersion, kind, metadata.name)
     */
    static long read(InputStream in, Consumer<GenericKubernetesResource> consumer) {
        Load load = new Load(LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).setLabel("objects.yaml").build());
        long n = 0;
        Iterator<Object> docs = load.loadAllFromInputStream(in).iterator();
        while (true) {
            Object doc;
            try {
                if (!docs.hasNext()) {
                    break;
                }
                doc = docs.next();
            } catch (BackupException e) {
                throw e;
            } catch (RuntimeException e) {
                if (e.getCause() instanceof BackupException be) {
                    throw be; // the verifying stream failed under the parser
                }
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, "the Kubernetes YAML stream does not parse after document "
                        + n + ": " + e.getMessage(), e);
            }
            if (doc == null) {
                continue;
            }
            n++;
            GenericKubernetesResource r;
            try {
                r = SERIALIZATION.convertValue(doc, GenericKubernetesResource.class);
            } catch (RuntimeException e) {
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, "document " + n
                        + " of the Kubernetes YAML stream is not a Kubernetes object: " + e.getMessage(), e);
            }
            if (r.getApiVersion() == null || r.getKind() == null || r.getMetadata() == null || r.getMetadata().getName() == null) {
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, "document " + n
                        + " of the Kubernetes YAML stream lacks apiVersion, kind or metadata.name");
            }
            consumer.accept(r);
        }
        return n;
    }

    /**
     * The object as a plain map, for equality without server-assigned fields. ownerReferences count
     * only when {@code desired} (the backup's version) has them: a backup taken without them does
     * not make a live object with owners "changed".
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> comparable(GenericKubernetesResource r, GenericKubernetesResource desired) {
        GenericKubernetesResource copy = SERIALIZATION.clone(r);
        List<?> owners = desired.getMetadata().getOwnerReferences();
        strip(copy, owners != null && !owners.isEmpty());
        Map<String, Object> m = SERIALIZATION.convertValue(copy, Map.class);
        return m;
    }
}
