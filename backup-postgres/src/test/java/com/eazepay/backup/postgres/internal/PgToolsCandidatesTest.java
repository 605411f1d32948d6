package com.eazepay.backup.postgres.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** Which client tool binaries PgTools considers, on a file tree laid out as Debian's postgresql-common does. */
class PgToolsCandidatesTest {

    private static Path executable(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.18'\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void debianWrapperLinkIsSkippedWhenTheRealBinariesAreCandidates(@TempDir Path dir) throws IOException {
        Path wrapper = executable(dir.resolve("share/postgresql-common/pg_wrapper"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("pg_dump"), wrapper);
        Path real15 = executable(dir.resolve("lib/postgresql/15/bin/pg_dump"));

        assertThat(PgTools.candidates("pg_dump", null, bin.toString(), dir.resolve("lib/postgresql")))
                .containsExactly(real15);
    }

    @Test
    void theWrapperIsKeptWhenItIsTheOnlyCandidateAndAConfiguredPathIsUsedAsGiven(@TempDir Path dir) throws IOException {
        Path wrapper = executable(dir.resolve("share/postgresql-common/pg_wrapper"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("pg_dump"), wrapper);

        assertThat(PgTools.candidates("pg_dump", null, bin.toString(), dir.resolve("no-such-dir"))).containsExactly(link);
        executable(dir.resolve("lib/postgresql/15/bin/pg_dump"));
        assertThat(PgTools.candidates("pg_dump", link, bin.toString(), dir.resolve("lib/postgresql"))).containsExactly(link);
    }

    @Test
    void plainBinariesOnPathStayCandidatesNextToDebianOnes(@TempDir Path dir) throws IOException {
        Path own = executable(dir.resolve("opt/pg16/bin/pg_dump"));
        Path real15 = executable(dir.resolve("lib/postgresql/15/bin/pg_dump"));

        assertThat(PgTools.candidates("pg_dump", null, own.getParent().toString(), dir.resolve("lib/postgresql")))
                .containsExactly(own, real15);
    }

    @Test
    void aToolsVersionIsAskedOnceUntilTheBinaryIsReplaced(@TempDir Path dir) throws IOException {
        Path runs = dir.resolve("runs");
        Path tool = dir.resolve("bin/pg_dump");
        Files.createDirectories(tool.getParent());
        Files.writeString(tool, "#!/bin/sh\necho run >> " + runs + "\necho 'pg_dump (PostgreSQL) 15.18'\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));

        assertThat(PgTools.cachedVersion(tool).version()).isEqualTo("15.18");
        assertThat(PgTools.cachedVersion(tool).version()).isEqualTo("15.18");
        assertThat(Files.readAllLines(runs)).hasSize(1);

        // an upgrade replaces the binary: another size (and time), so it is asked again
        Files.writeString(tool, "#!/bin/sh\necho run >> " + runs + "\necho 'pg_dump (PostgreSQL) 16.4 (Debian 16.4-1)'\n");
        assertThat(PgTools.cachedVersion(tool).version()).isEqualTo("16.4");
        assertThat(Files.readAllLines(runs)).hasSize(2);
    }
}
