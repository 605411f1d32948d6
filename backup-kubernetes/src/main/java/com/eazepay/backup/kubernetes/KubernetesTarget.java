package com.eazepay.backup.kubernetes;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.RestoreTarget;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link KubernetesSource} backup is restored: a directory of YAML files (one per object),
 * or a cluster. Immutable; each option returns a new target.
 *
 * <p>A cluster restore first reads the whole backup (verifying its checksum) and plans every
 * object as <em>created</em> (absent), <em>unchanged</em> (equal apart from server-assigned fields),
 * <em>changed</em> (differs) or a <em>conflict</em>. It never deletes an object the backup does not
 * hold. Without {@link #replaceExisting()} a changed object is a conflict; an immutable ConfigMap or
 * Secret whose content differs is a conflict unless {@link #recreateImmutable()} is given (it is then
 * deleted and created again). Any conflict fails the restore with {@code TARGET_NOT_EMPTY} before
 * anything is written. {@link #dryRun()} only reports the plan.
 */
public final class KubernetesTarget implements RestoreTarget {

    /** Field manager used for server-side apply. */
    public static final String FIELD_MANAGER = "eazepay-backup";

    private final Path directory;
    private final KubernetesClient client;
    private final Map<String, String> namespaceMap;
    private final boolean replaceExisting;
    private final boolean recreateImmutable;
    private final boolean serverSideApply;
    private final boolean dryRun;
    private final boolean createNamespaces;

    private KubernetesTarget(Path directory, KubernetesClient client, Map<String, String> namespaceMap, boolean replaceExisting,
                             boolean recreateImmutable, boolean serverSideApply, boolean dryRun, boolean createNamespaces) {
        this.directory = directory;
        this.client = client;
        this.namespaceMap = Map.copyOf(namespaceMap);
        this.replaceExisting = replaceExisting;
        this.recreateImmutable = recreateImmutable;
        this.serverSideApply = serverSideApply;
        this.dryRun = dryRun;
        this.createNamespaces = createNamespaces;
    }

    /**
     * Writes one YAML file per object under {@code directory}:
     * {@code <namespace>/<kind>/<name>.yaml} ({@code _cluster/<kind>/<name>.yaml} for cluster-scoped
     * objects); path components are made path-safe. Existing files are an error unless
     * {@link #replaceExisting()}.
     */
    public static KubernetesTarget directory(Path directory) {
        return new KubernetesTarget(Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize(), null,
                Map.of(), false, false, false, false, true);
    }

    /**
     * Applies the objects to the cluster {@code client} talks to (the caller keeps ownership of the
     * client). Default: create what is absent, leave what is equal, refuse what differs. Missing
     * namespaces are created (see {@link #withoutCreatingNamespaces()}).
     */
    public static KubernetesTarget cluster(KubernetesClient client) {
        return new KubernetesTarget(null, Objects.requireNonNull(client, "client"), Map.of(), false, false, false, false, true);
    }

    /** Restores objects of namespace {@code from} into namespace {@code to}. */
    public KubernetesTarget namespace(String from, String to) {
        Objects.requireNonNull(from, "from");
        if (to == null || !to.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "namespace '" + to
                    + "' is not a valid Kubernetes namespace name (RFC 1123 label)");
        }
        Map<String, String> m = new LinkedHashMap<>(namespaceMap);
        m.put(from, to);
        return new KubernetesTarget(directory, client, m, replaceExisting, recreateImmutable, serverSideApply, dryRun, createNamespaces);
    }

    /** Overwrites objects (or files) that exist and differ from the backup. Never deletes others. */
    public KubernetesTarget replaceExisting() {
        return new KubernetesTarget(directory, client, namespaceMap, true, recreateImmutable, serverSideApply, dryRun, createNamespaces);
    }

    /**
     * Deletes and creates again an immutable ConfigMap or Secret whose content differs from the
     * backup (pods using it keep the old content until restarted). Without it, such an object is a conflict.
     */
    public KubernetesTarget recreateImmutable() {
        return new KubernetesTarget(directory, client, namespaceMap, replaceExisting, true, serverSideApply, dryRun, createNamespaces);
    }

    /**
     * Writes changed objects with server-side apply (field manager {@value #FIELD_MANAGER}, forcing
     * conflicts) instead of a replace (absent objects are created with a POST). Implies {@link #replaceExisting()}.
     */
    public KubernetesTarget serverSideApply() {
        return new KubernetesTarget(directory, client, namespaceMap, true, recreateImmutable, true, dryRun, createNamespaces);
    }

    /** Plans only: the outcome lists what would be created, changed, unchanged and what conflicts; nothing is written. */
    public KubernetesTarget dryRun() {
        return new KubernetesTarget(directory, client, namespaceMap, replaceExisting, recreateImmutable, serverSideApply, true, createNamespaces);
    }

    /** Fails instead of creating a namespace that does not exist. */
    public KubernetesTarget withoutCreatingNamespaces() {
        return new KubernetesTarget(directory, client, namespaceMap, replaceExisting, recreateImmutable, serverSideApply, dryRun, false);
    }

    String mapNamespace(String ns) {
        return ns == null ? null : namespaceMap.getOrDefault(ns, ns);
    }

    Path directoryPath() {
        return directory;
    }

    KubernetesClient client() {
        return client;
    }

    boolean replaces() {
        return replaceExisting;
    }

    boolean recreatesImmutable() {
        return recreateImmutable;
    }

    boolean usesServerSideApply() {
        return serverSideApply;
    }

    boolean isDryRun() {
        return dryRun;
    }

    boolean createsNamespaces() {
        return createNamespaces;
    }

    @Override
    public String describe() {
        String where = directory != null ? "directory " + directory : "cluster " + client.getMasterUrl();
        return "kubernetes " + where + (namespaceMap.isEmpty() ? "" : " namespaces " + namespaceMap) + (dryRun ? " (dry run)" : "");
    }

    @Override
    public String toString() {
        return describe();
    }
}
