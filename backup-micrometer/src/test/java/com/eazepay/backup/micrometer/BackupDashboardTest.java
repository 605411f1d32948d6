package com.eazepay.backup.micrometer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** examples/grafana/backup-dashboard.json: every query is valid PromQL over metrics the binder exports. */
class BackupDashboardTest {

    static final Path DASHBOARD = ExportedNames.examples("grafana/backup-dashboard.json");

    /** Panel title → its queries (the source variable's query under "templating"). */
    static Map<String, List<String>> queries() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        Map<String, List<String>> queries = new LinkedHashMap<>();
        collect(d.get("panels"), queries);
        List<String> templating = new ArrayList<>();
        for (JsonNode v : d.path("templating").path("list")) {
            templating.add(v.path("query").path("query").asText(v.path("query").asText()));
        }
        queries.put("templating", templating);
        return queries;
    }

    private static void collect(JsonNode panels, Map<String, List<String>> into) {
        for (JsonNode p : panels) {
            if (p.has("panels")) {                 // rows hold panels
                collect(p.get("panels"), into);
            }
            if (!p.has("targets")) {
                continue;
            }
            List<String> exprs = new ArrayList<>();
            for (JsonNode t : p.get("targets")) {
                exprs.add(t.path("expr").asText());
            }
            into.put(p.get("title").asText(), exprs);
        }
    }

    @Test
    void everyPanelQueriesOnlyMetricsTheBinderExports() throws Exception {
        Set<String> exported = ExportedNames.all();
        Map<String, List<String>> queries = queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(7);
        queries.forEach((panel, exprs) -> {
            assertThat(exprs).as(panel).isNotEmpty().allSatisfy(e -> assertThat(e).as(panel).isNotBlank());
            for (String e : exprs) {
                assertThat(ExportedNames.usedIn(e)).as(panel + ": " + e).isNotEmpty().isSubsetOf(exported);
            }
        });
    }

    @Test
    void theDashboardShowsEveryExportedMetric() throws Exception {
        Set<String> used = new TreeSet<>();
        queries().values().forEach(exprs -> exprs.forEach(e -> used.addAll(ExportedNames.usedIn(e))));
        assertThat(used).containsAll(ExportedNames.all());
    }

    @Test
    void everyPanelQueryIsValidPromqlForPromtool(@TempDir Path dir) throws Exception {
        Promtool.assumeInstalled();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (List<String> exprs : queries().values()) {
            for (String e : exprs) {
                if (e.startsWith("label_values(")) {
                    continue;                        // a Grafana function, not PromQL
                }
                // Grafana variables as a Prometheus server would see them after substitution
                String promql = e.replace("$source", ".*");
                rules.append("      - record: dashboard:query").append(n++).append("\n        expr: '")
                        .append(promql.replace("'", "''")).append("'\n");
            }
        }
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, rules);
        Promtool.Result r = Promtool.run(null, "check", "rules", file.toString());
        assertThat(r.exitCode()).as(r.output() + "\n" + rules).isZero();
        assertThat(r.output()).contains("SUCCESS: " + n + " rules found");
    }
}
