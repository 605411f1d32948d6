package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corruption drill with {@code swap()} on a real (embedded) PostgreSQL server: the checked scratch database takes the
 * application's database name with its owner, settings and ACL, the corrupted one is kept under the name the report
 * gives; without {@code swap()} nothing is swapped.
 */
class DrillSwapTest {

    static PgServer pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE ROLE shop_owner", "CREATE ROLE shop_rw LOGIN PASSWORD 'rw-Pw-2'",
                "CREATE ROLE stranger LOGIN PASSWORD 'st-Pw-2'",
                "CREATE DATABASE shop OWNER shop_owner",
                "ALTER DATABASE shop SET search_path = sales, public",
                "REVOKE CONNECT, TEMP ON DATABASE shop FROM PUBLIC",
                "GRANT CONNECT ON DATABASE shop TO shop_rw");
        pg.exec("shop", "CREATE SCHEMA sales AUTHORIZATION shop_owner",
                "CREATE TABLE sales.orders (id int PRIMARY KEY, amount numeric)",
                "ALTER TABLE sales.orders OWNER TO shop_owner",
                "INSERT INTO sales.orders SELECT i, i * 10 FROM generate_series(1, 120) i",
                "GRANT USAGE ON SCHEMA sales TO shop_rw", "GRANT SELECT ON sales.orders TO shop_rw");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static long count(String db, String sql) {
        return pg.queryLong(db, sql);
    }

    @Test
    void aCorruptionDrillWithSwapPutsTheCheckedRestoreInPlaceKeepingOwnerAndAclAndWithoutSwapTouchesNothing() throws Exception {
        String properties = PostgresRestoreSafetyTest.propertiesOn(pg, "shop");
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo"));
        AgeKeys keys = AgeKeys.generate();
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(pg.source("shop").build()).build()) {
            BackupResult backup = engine.backup("postgres").run();
            pg.exec("shop", "DELETE FROM sales.orders WHERE id > 20"); // the corruption
            String before = com.eazepay.backup.postgres.internal.Identifiers.beforeName("shop", backup.manifest().id());

            DrillReport plain = engine.drill().scenario(Drill.Scenario.CORRUPTION).run().orThrow();

            assertThat(plain.sources().get(0).swap()).isNull();
            assertThat(plain.sources().get(0).stages()).containsKeys("select", "restore", "checks", "cleanup")
                    .doesNotContainKey("swap");
            assertThat(count("shop", "select count(*) from sales.orders")).isEqualTo(20);
            assertThat(count("postgres", "select count(*) from pg_database where datname like 'shop\\_before\\_%'")).isZero();

            DrillReport swapped = engine.drill().scenario(Drill.Scenario.CORRUPTION).swap().run().orThrow();

            DrillReport.SourceResult r = swapped.sources().get(0);
            assertThat(r.swap()).startsWith("swapped into postgresql://").contains("/shop;").contains(before);
            assertThat(r.restoredInto()).contains("swapped in").contains(before);
            assertThat(r.stages()).containsKeys("select", "restore", "checks", "swap", "cleanup");
            // the application's name holds the restored data, with the database's owner, settings and ACL
            assertThat(count("shop", "select count(*) from sales.orders")).isEqualTo(120);
            assertThat(PostgresRestoreSafetyTest.propertiesOn(pg, "shop")).isEqualTo(properties);
            try (Connection app = DriverManager.getConnection(pg.jdbcUrl("shop"), "shop_rw", "rw-Pw-2");
                 Statement st = app.createStatement(); var rs = st.executeQuery("select count(*) from orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(120);
            }
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> DriverManager.getConnection(pg.jdbcUrl("shop"), "stranger", "st-Pw-2").close()))
                    .hasMessageContaining("permission denied");
            // the corrupted database is kept, not dropped, under the name the report gives; no scratch database is left
            assertThat(count(before, "select count(*) from sales.orders")).isEqualTo(20);
            assertThat(count("postgres", "select count(*) from pg_database where datname like 'restoretest\\_%'")).isZero();
            assertThat(storage.listAll("locks/cleanup/")).isEmpty();
            String md = new String(storage.get(swapped.reportKeys().get(1)).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(md).contains("## Swapped into place").contains(before);
            String json = new String(storage.get(swapped.reportKeys().get(0)).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"swap\" : \"swapped into").contains("\"checks\" : ");
        }
    }
}
