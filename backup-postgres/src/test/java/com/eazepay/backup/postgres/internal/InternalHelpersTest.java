package com.eazepay.backup.postgres.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InternalHelpersTest {

    @Test
    void beforeNameIsAValidIdentifierOfAtMost63Bytes() {
        assertThat(Identifiers.beforeName("payments", "20261124T020000Z-k3f9qa"))
                .isEqualTo("payments_before_20261124t020000z_k3f9qa");
        String longName = Identifiers.beforeName("a".repeat(63), "20261124T020000Z-k3f9qa");
        assertThat(longName).hasSize(63).endsWith("_before_20261124t020000z_k3f9qa").matches("[a-z_][a-z0-9_]*");
        assertThat(Identifiers.beforeName("9-Live DB", "x")).matches("[a-z_][a-z0-9_]*").endsWith("_before_x");
    }

    @Test
    void jdbcUrlIsParsedAndCredentialsAreTakenOutOfIt() {
        ConnectionSettings s = ConnectionSettings.parseJdbcUrl(
                "jdbc:postgresql://db.internal:6543/payments?user=backup&password=p%40ss&sslmode=require");

        assertThat(s.host()).isEqualTo("db.internal");
        assertThat(s.port()).isEqualTo(6543);
        assertThat(s.database()).isEqualTo("payments");
        assertThat(s.user()).isEqualTo("backup");
        assertThat(s.password().reveal()).isEqualTo("p@ss");
        assertThat(s.location()).isEqualTo("postgresql://db.internal:6543/payments");
        assertThat(s.toString()).doesNotContain("p@ss").contains("****");
        // the password never goes into the environment: tool(..) writes it to a 0600 PGPASSFILE
        assertThat(s.libpqEnvironment()).containsEntry("PGSSLMODE", "require").doesNotContainKey("PGPASSWORD")
                .doesNotContainValue("p@ss");
        assertThat(s.tool("pg_dump", List.of("/usr/bin/pg_dump"), java.time.Duration.ofMinutes(1)).environmentNames())
                .contains("PGPASSFILE", "PGSSLMODE").doesNotContain("PGPASSWORD");
        assertThat(ConnectionSettings.parseJdbcUrl("jdbc:postgresql://[::1]/x").host()).isEqualTo("::1");
        assertThat(ConnectionSettings.parseJdbcUrl("jdbc:postgresql:orders").location())
                .isEqualTo("postgresql://localhost:5432/orders");
        assertThatThrownBy(() -> ConnectionSettings.parseJdbcUrl("jdbc:mysql://h/db")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectionSettings.parseJdbcUrl("jdbc:postgresql://a,b/db"))
                .hasMessageContaining("several hosts");
    }

    @Test
    void tableFilterFollowsPgDumpSelectionRules() {
        TableFilter all = new TableFilter(List.of(), List.of(), List.of(), List.of());
        TableFilter schemas = new TableFilter(List.of("bill*"), List.of(), List.of(), List.of("billing.tmp_*"));
        TableFilter tables = new TableFilter(List.of("ignored"), List.of(), List.of("users", "billing.Pay?ents"), List.of());
        TableFilter quoted = new TableFilter(List.of(), List.of(), List.of("\"Mixed\".\"Case.Table\""), List.of());

        assertThat(all.includes("public", "users", true)).isTrue();
        assertThat(schemas.includes("billing", "payments", false)).isTrue();
        assertThat(schemas.includes("billing", "tmp_1", false)).isFalse();
        assertThat(schemas.includes("public", "users", true)).isFalse();
        assertThat(tables.includes("public", "users", true)).isTrue();
        assertThat(tables.includes("other", "users", false)).isFalse();
        assertThat(tables.includes("billing", "payments", false)).isTrue();
        assertThat(tables.includes("billing", "invoices", false)).isFalse();
        assertThat(quoted.includes("Mixed", "Case.Table", false)).isTrue();
        assertThat(quoted.includes("mixed", "case.table", false)).isFalse();
    }
}
