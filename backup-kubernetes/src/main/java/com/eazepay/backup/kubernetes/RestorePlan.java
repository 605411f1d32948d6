package com.eazepay.backup.kubernetes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a restore did (or, in a dry run, would do), object by object ("Kind namespace/name"). */
final class RestorePlan {
    private final List<String> created = new ArrayList<>();
    private final List<String> changed = new ArrayList<>();
    private final List<String> unchanged = new ArrayList<>();
    private final List<String> recreated = new ArrayList<>();
    private final List<String> conflicts = new ArrayList<>();
    private final List<String> namespacesCreated = new ArrayList<>();

    List<String> created() {
        return created;
    }

    List<String> changed() {
        return changed;
    }

    List<String> unchanged() {
        return unchanged;
    }

    /** Immutable objects deleted and created again (also listed in {@link #changed()}). */
    List<String> recreated() {
        return recreated;
    }

    List<String> conflicts() {
        return conflicts;
    }

    List<String> namespacesCreated() {
        return namespacesCreated;
    }

    Map<String, Object> facts(boolean dryRun) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("dryRun", dryRun);
        f.put("created", List.copyOf(created));
        f.put("changed", List.copyOf(changed));
        f.put("unchanged", List.copyOf(unchanged));
        f.put("recreated", List.copyOf(recreated));
        f.put("conflicts", List.copyOf(conflicts));
        f.put("namespacesCreated", List.copyOf(namespacesCreated));
        return f;
    }
}
