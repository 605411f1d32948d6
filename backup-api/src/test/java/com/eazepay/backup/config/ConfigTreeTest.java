package com.eazepay.backup.config;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.age.AgeKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ConfigNode#tree} and {@link BackupConfig#fromTree}: the model fed from another format (Spring Boot properties). */
class ConfigTreeTest {

    @TempDir
    Path dir;

    private static ConfigNode.Leaf at(String text, int line) {
        return new ConfigNode.Leaf(text, "application.yml", line, 5, false);
    }

    private Map<String, Object> tree(Map<String, Object> retention) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("type", at("files", 10));
        source.put("paths", List.of(at(data.toString(), 11)));
        source.put("retention", retention);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("repository", Map.of("type", at("filesystem", 2), "path", at(dir.resolve("repo").toString(), 3)));
        root.put("encryption", Map.of("recipients", List.of(at(AgeKeys.generate().recipient().encoded(), 5))));
        root.put("sources", Map.of("config", source));
        return root;
    }

    @Test
    void keysOfATreeMatchInRelaxedForm() throws IOException {
        ConfigNode root = ConfigNode.tree("eazepay.backup", "Spring properties",
                tree(Map.of("keep-daily", at("7", 14), "KEEP_WEEKLY", at("4", 15))));
        BackupConfig config = BackupConfig.fromTree(root, getClass().getClassLoader());
        assertThat(config.source("config").retention().toString()).contains("7").contains("4");
    }

    @Test
    void anUnknownKeyOfATreeIsReportedWithItsPathAndWhereItWasSet() throws IOException {
        ConfigNode root = ConfigNode.tree("eazepay.backup", "Spring properties", tree(Map.of("keepWeekly", at("4", 13), "keep-daly", at("7", 14))));
        assertThatThrownBy(() -> BackupConfig.fromTree(root, getClass().getClassLoader()))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("application.yml line 14, column 5: eazepay.backup.sources.config.retention.keep-daly: unknown setting");
    }

    @Test
    void yamlKeysStayExact() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        String yaml = """
                repository: {type: filesystem, path: %s}
                encryption: {recipients: [%s]}
                sources:
                  config:
                    type: files
                    paths: [%s]
                    retention: {keepWeekly: 4, keep-daily: 7}
                """.formatted(dir.resolve("repo"), AgeKeys.generate().recipient().encoded(), data);
        assertThatThrownBy(() -> BackupConfig.parse(yaml, "backup.yml", k -> null))
                .hasMessageContaining("sources.config.retention.keep-daily: unknown setting");
    }

    @Test
    void aSecretLeafIsNeverPrintedAndAValueWithoutALineNamesOnlyItsOrigin() throws IOException {
        Map<String, Object> root = tree(Map.of("keepDaily", new ConfigNode.Leaf("seven-Pw-3d1", "the DataSource", 0, 0, true)));
        ConfigNode node = ConfigNode.tree("eazepay.backup", "Spring properties", root);
        assertThatThrownBy(() -> BackupConfig.fromTree(node, getClass().getClassLoader()))
                .hasMessageContaining("the DataSource: eazepay.backup.sources.config.retention.keepDaily: expected a whole number")
                .hasMessageNotContaining("seven-Pw-3d1");
        assertThat(new ConfigNode.Leaf("seven-Pw-3d1", "x", 0, 0, true).toString()).doesNotContain("seven-Pw-3d1");
    }

    @Test
    void aTreeWithoutSettingsSaysWhatIsMissingAtTheRoot() {
        ConfigNode root = ConfigNode.tree("eazepay.backup", "Spring properties eazepay.backup.*", Map.of());
        assertThatThrownBy(() -> BackupConfig.fromTree(root, getClass().getClassLoader()))
                .hasMessageContaining("Spring properties eazepay.backup.*: eazepay.backup: no repository");
    }
}
