package com.eazepay.backup.kubernetes;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes one YAML file per object: {@code <namespace>/<kind>/<name>.yaml}, {@code _cluster} for cluster-scoped objects. */
final class DirectoryRestore {

    private DirectoryRestore() {
    }

    static RestorePlan restore(List<GenericKubernetesResource> objects, KubernetesTarget target) {
        Path root = target.directoryPath();
        Map<Path, GenericKubernetesResource> files = new LinkedHashMap<>();
        RestorePlan plan = new RestorePlan();
        for (GenericKubernetesResource r : objects) {
            Path file = root.resolve(pathFor(r));
            if (!file.normalize().startsWith(root)) {
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, "object " + ObjectYaml.describe(r)
                        + " maps to a path outside " + root);
            }
            if (files.put(file, r) != null) {
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, "two objects of the backup map to " + file);
            }
            String yaml = ObjectYaml.toYaml(r);
            if (Files.exists(file)) {
                String existing = read(file);
                if (existing.equals(yaml)) {
                    plan.unchanged().add(ObjectYaml.describe(r));
                } else if (target.replaces()) {
                    plan.changed().add(ObjectYaml.describe(r));
                } else {
                    plan.conflicts().add(ObjectYaml.describe(r) + ": " + file + " exists and differs");
                }
            } else {
                plan.created().add(ObjectYaml.describe(r));
            }
        }
        if (!plan.conflicts().isEmpty() && !target.isDryRun()) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, plan.conflicts().size() + " file(s) exist in " + root
                    + " and differ from the backup, e.g. " + plan.conflicts().get(0)
                    + "; restore into an empty directory or call replaceExisting()");
        }
        if (target.isDryRun()) {
            return plan;
        }
        try {
            for (Map.Entry<Path, GenericKubernetesResource> e : files.entrySet()) {
                Path file = e.getKey();
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), ".restore-", ".tmp");
                Files.writeString(tmp, ObjectYaml.toYaml(e.getValue()), StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "writing the objects into " + root + " failed: " + e.getMessage(), e);
        }
        return plan;
    }

    /** {@code <namespace>/<kind>[.<group>]/<name>.yaml}, every component made path-safe. */
    static Path pathFor(GenericKubernetesResource r) {
        String ns = r.getMetadata().getNamespace();
        String apiVersion = r.getApiVersion();
        int slash = apiVersion.indexOf('/');
        String kind = r.getKind().toLowerCase(Locale.ROOT) + (slash < 0 ? "" : "." + apiVersion.substring(0, slash));
        return Path.of(ns == null ? "_cluster" : safe(ns), safe(kind), safe(r.getMetadata().getName()) + ".yaml");
    }

    /** Keeps [A-Za-z0-9._-], percent-encodes the rest; never empty, {@code .} or {@code ..}. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder();
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || (c == '.' && b.length() > 0)) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return b.length() == 0 ? "%" : b.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "reading " + file + " failed: " + e.getMessage(), e);
        }
    }
}
