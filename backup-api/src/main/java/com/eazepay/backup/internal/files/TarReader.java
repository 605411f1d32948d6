package com.eazepay.backup.internal.files;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Extracts a tar stream into a directory safely: entries are extracted into a hidden staging
 * directory beside the target, the input is read to its end (so its checksum is verified), existing
 * files are checked for conflicts, and only then are entries moved into place. Entries escaping the
 * target ({@code ..}, absolute paths) are rejected.
 */
public final class TarReader {

    /** What was restored. */
    public record Stats(long files, long directories, long bytes) {
    }

    private record Meta(Path relative, int mode, FileTime mtime, boolean directory) {
    }

    private TarReader() {
    }

    public static Stats extract(InputStream in, Path target, boolean overwrite) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + target.getFileName() + ".restore-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            long files = 0;
            long dirs = 0;
            long bytes = 0;
            List<Meta> metas = new ArrayList<>();
            TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8");
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path rel = safeRelative(e.getName());
                Path dest = staging.resolve(rel);
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                    metas.add(new Meta(rel, e.getMode(), e.getLastModifiedTime(), true));
                    dirs++;
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(dest.getParent());
                    Files.createSymbolicLink(dest, Path.of(e.getLinkName()));
                } else if (e.isFile()) {
                    Files.createDirectories(dest.getParent());
                    try (OutputStream out = Files.newOutputStream(dest)) {
                        bytes += tar.transferTo(out);
                    }
                    metas.add(new Meta(rel, e.getMode(), e.getLastModifiedTime(), false));
                    files++;
                }
            }
            // Read past the tar's end so the stored object's SHA-256 is checked before anything is committed.
            in.transferTo(OutputStream.nullOutputStream());
            commit(staging, target, overwrite);
            // Modes and times last: directories' mtimes change while files are moved into them.
            metas.sort(Comparator.comparing((Meta m) -> m.relative().getNameCount()).reversed());
            for (Meta m : metas) {
                Path p = target.resolve(m.relative());
                Files.setPosixFilePermissions(p, permissions(m.mode()));
                if (m.mtime() != null) {
                    Files.setLastModifiedTime(p, m.mtime());
                }
            }
            return new Stats(files, dirs, bytes);
        } finally {
            deleteTree(staging);
        }
    }

    private static Path safeRelative(String name) {
        Path rel = Path.of(name).normalize();
        if (rel.isAbsolute() || rel.startsWith("..") || name.contains("\0")) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, "tar entry '" + name
                    + "' would be written outside the target directory; refusing to restore it");
        }
        return rel;
    }

    private static void commit(Path staging, Path target, boolean overwrite) throws IOException {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(staging)) {
            entries = walk.filter(p -> !p.equals(staging)).sorted().toList();
        }
        if (!overwrite) {
            for (Path p : entries) {
                Path dest = target.resolve(staging.relativize(p));
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "restore target " + target + " already has "
                            + dest + "; nothing was written. Restore into an empty directory, or use "
                            + "FilesTarget.directory(..).overwriteExisting() to replace existing files");
                }
            }
        }
        Files.createDirectories(target);
        for (Path p : entries) {
            Path dest = target.resolve(staging.relativize(p));
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dest);
            } else {
                Files.createDirectories(dest.getParent());
                Files.move(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
