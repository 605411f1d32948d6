package com.eazepay.backup.internal.files;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Extracts a tar stream into a directory without ever following a symbolic link:
 * <ol>
 *   <li>entries are extracted into a hidden staging directory beside the target, created {@code 0700};
 *       files are created {@code 0600} with {@code CREATE_NEW} and {@code NOFOLLOW_LINKS}, directories
 *       {@code 0700}; symbolic links are only recorded;</li>
 *   <li>an entry is refused ({@code CORRUPT_DATA}, naming the entry, nothing written to the target) when
 *       its name is absolute or has a {@code ..} component, when a parent inside the archive is a symbolic
 *       link or a file, when it repeats an earlier entry, or when it is a hard link, a character or block
 *       device, a fifo or any other special type (a files backup never contains those: {@link TarWriter}
 *       skips them, so such an entry means the archive was not written by this library);</li>
 *   <li>the input is read to its end, so its checksum is verified, and only then are the symbolic links
 *       created (last) in staging;</li>
 *   <li>the target is checked for conflicts: without overwrite any existing non-directory is a conflict;
 *       with overwrite, a symbolic link or file where the archive has a directory, or a directory where it
 *       has a file, still is. Nothing is written to the target before these checks pass;</li>
 *   <li>entries are renamed into place, and the archived permission bits (never set-uid, set-gid or sticky)
 *       and times are applied last with {@code NOFOLLOW_LINKS}.</li>
 * </ol>
 * A failed restore removes its staging directory and any directory it created for the target (the target
 * itself and its new parents), as long as they are still empty.
 */
public final class TarReader {

    private static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** What was restored. */
    public record Stats(long files, long directories, long bytes) {
    }

    private record Meta(Path relative, int mode, FileTime mtime) {
    }

    private TarReader() {
    }

    /**
     * Extracts {@code in} into {@code target}.
     *
     * @throws BackupException {@code CORRUPT_DATA} for a refused entry; {@code TARGET_NOT_EMPTY} for a conflict
     * @throws IOException     when the file system fails
     */
    public static Stats extract(InputStream in, Path target, boolean overwrite) throws IOException {
        target = target.toAbsolutePath().normalize();
        Path parent = target.getParent();
        List<Path> created = missingDirectories(target);
        boolean ok = false;
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = parent.resolve("." + target.getFileName() + ".restore-" + UUID.randomUUID());
            Files.createDirectory(staging, DIR_0700);
            Stats stats = extractInto(in, staging, target, overwrite);
            ok = true;
            return stats;
        } finally {
            try {
                if (staging != null) {
                    deleteTree(staging);
                }
            } finally {
                if (!ok) {
                    removeIfEmpty(created);
                }
            }
        }
    }

    /**
     * Walks a tar stream without extracting: every header (with its checksum), every entry's type and path
     * as a restore would judge them, every entry's bytes read. Stops at the end-of-archive marker; the
     * caller reads what follows. Throws {@code IOException} for an unreadable archive, {@code BackupException}
     * for an entry a restore would refuse.
     */
    public static Stats walk(InputStream in) throws IOException {
        long files = 0;
        long dirs = 0;
        long bytes = 0;
        TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8");
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            if (safeRelative(e.getName()) == null) {
                continue;
            }
            checkType(e);
            if (e.isDirectory()) {
                dirs++;
            } else if (!e.isSymbolicLink()) {
                long n = tar.transferTo(OutputStream.nullOutputStream());
                if (n != e.getSize()) {
                    throw new IOException("entry " + e.getName() + " holds " + n + " bytes but its header records " + e.getSize());
                }
                bytes += n;
                files++;
            }
        }
        return new Stats(files, dirs, bytes);
    }

    private static Stats extractInto(InputStream in, Path staging, Path target, boolean overwrite) throws IOException {
        long files = 0;
        long dirs = 0;
        long bytes = 0;
        List<Meta> metas = new ArrayList<>();
        Map<Path, String> links = new LinkedHashMap<>();
        Set<Path> seen = new HashSet<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(in, "UTF-8");
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName();
            Path rel = safeRelative(name);
            if (rel == null) {
                continue; // "./": the target itself
            }
            checkType(e);
            for (Path p = rel.getParent(); p != null; p = p.getParent()) {
                if (links.containsKey(p)) {
                    throw refused(name, "its parent '" + p + "' is a symbolic link in the archive");
                }
            }
            if (links.containsKey(rel)) {
                throw refused(name, "it repeats an earlier symbolic link entry");
            }
            if (!seen.add(rel) && !e.isDirectory()) {
                throw refused(name, "it repeats an earlier entry");
            }
            Path dest = staging.resolve(rel);
            if (e.isDirectory()) {
                makeDirectories(staging, rel, name);
                metas.add(new Meta(rel, e.getMode(), e.getLastModifiedTime()));
                dirs++;
            } else if (e.isSymbolicLink()) {
                if (rel.getParent() != null) {
                    makeDirectories(staging, rel.getParent(), name);
                }
                if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw refused(name, "it repeats an earlier entry");
                }
                String linkTarget = e.getLinkName();
                if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
                    throw refused(name, "it is a symbolic link with an empty or invalid target");
                }
                links.put(rel, linkTarget);
            } else {
                if (rel.getParent() != null) {
                    makeDirectories(staging, rel.getParent(), name);
                }
                try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(dest,
                        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), FILE_0600))) {
                    bytes += tar.transferTo(out);
                } catch (java.nio.file.FileAlreadyExistsException x) {
                    throw refused(name, "it repeats an earlier entry");
                }
                metas.add(new Meta(rel, e.getMode(), e.getLastModifiedTime()));
                files++;
            }
        }
        // Read past the tar's end so the stored object's SHA-256 is checked before anything is committed.
        in.transferTo(OutputStream.nullOutputStream());
        for (Map.Entry<Path, String> link : links.entrySet()) {
            // Created last: no entry is ever written through one. A link's own target is kept as archived.
            Files.createSymbolicLink(staging.resolve(link.getKey()), Path.of(link.getValue()));
        }
        commit(staging, target, overwrite);
        // Modes and times last (directories' mtimes change while files are moved into them), deepest first,
        // never through a link (a path replaced by a link meanwhile fails the restore instead).
        metas.sort(Comparator.comparing((Meta m) -> m.relative().getNameCount()).reversed());
        for (Meta m : metas) {
            Path p = target.resolve(m.relative());
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                throw new IOException(p + " was replaced by a symbolic link during the restore; its mode was not set");
            }
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(permissions(m.mode()));
            if (m.mtime() != null) {
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(m.mtime(), null, null);
            }
        }
        return new Stats(files, dirs, bytes);
    }

    /**
     * Accepts directories, regular files and symbolic links, judged by the entry's type flag (commons-compress
     * calls any non-directory a "file", fifos and devices included).
     */
    private static void checkType(TarArchiveEntry e) {
        byte flag = e.getLinkFlag();
        String what;
        if (e.isSymbolicLink()) {
            return;
        } else if (e.isLink()) {
            what = "a hard link to '" + e.getLinkName() + "'";
        } else if (e.isCharacterDevice() || e.isBlockDevice()) {
            what = "a device";
        } else if (e.isFIFO()) {
            what = "a fifo";
        } else if (e.isDirectory()
                || flag == TarArchiveEntry.LF_NORMAL || flag == TarArchiveEntry.LF_OLDNORM || flag == TarArchiveEntry.LF_CONTIG) {
            return;
        } else {
            what = "an entry of type '" + (char) flag + "'";
        }
        throw refused(e.getName(), "it is " + what + "; a files backup holds only files, directories and symbolic links");
    }

    /** Creates {@code rel}'s missing directories under {@code root}; an existing component must be a real directory. */
    private static void makeDirectories(Path root, Path rel, String entry) throws IOException {
        Path p = root;
        for (Path part : rel) {
            p = p.resolve(part);
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isDirectory()) {
                    throw refused(entry, "'" + root.relativize(p) + "' is " + (a.isSymbolicLink() ? "a symbolic link" : "a file")
                            + ", not a directory");
                }
            } catch (NoSuchFileException missing) {
                Files.createDirectory(p, DIR_0700);
            }
        }
    }

    private static Path safeRelative(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0 || name.startsWith("/") || name.startsWith("\\")) {
            throw refused(name, "it would be written outside the target directory");
        }
        Path rel = Path.of(name);
        if (rel.isAbsolute()) {
            throw refused(name, "it would be written outside the target directory");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw refused(name, "it would be written outside the target directory");
            }
        }
        rel = rel.normalize();
        return rel.toString().isEmpty() ? null : rel;
    }

    private static BackupException refused(String entry, String why) {
        return new BackupException(CoreErrorCode.CORRUPT_DATA, "tar entry '" + entry.replace('\0', '?') + "' refused: " + why
                + "; nothing was restored. The backup was not written by this library's files source, or was tampered with");
    }

    private static void commit(Path staging, Path target, boolean overwrite) throws IOException {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(staging)) {
            entries = walk.filter(p -> !p.equals(staging)).sorted().toList();
        }
        checkTargetKind(target, true, target, overwrite);
        for (Path p : entries) {
            Path dest = target.resolve(staging.relativize(p));
            checkTargetKind(dest, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), target, overwrite);
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(target, DIR_0700);
        }
        for (Path p : entries) {
            Path dest = target.resolve(staging.relativize(p));
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(dest, DIR_0700);
                }
            } else {
                // rename(2) replaces a link at dest itself, never what it points to.
                Files.move(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** Fails before anything is written if {@code dest} exists and may not be used for an entry of this kind. */
    private static void checkTargetKind(Path dest, boolean directory, Path target, boolean overwrite) throws IOException {
        BasicFileAttributes a;
        try {
            // The target directory itself may be a link the caller chose; everything below it is never followed.
            a = Files.readAttributes(dest, BasicFileAttributes.class,
                    dest.equals(target) ? new LinkOption[0] : new LinkOption[]{LinkOption.NOFOLLOW_LINKS});
        } catch (NoSuchFileException missing) {
            return;
        }
        String problem = null;
        if (directory && !a.isDirectory()) {
            problem = " has " + (a.isSymbolicLink() ? "a symbolic link" : "a file") + " at " + dest
                    + " where the backup has a directory";
        } else if (!directory && a.isDirectory()) {
            problem = " has a directory at " + dest + " where the backup has a file";
        } else if (!directory && !overwrite) {
            problem = " already has " + dest;
        }
        if (problem != null) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "restore target " + target + problem
                    + "; nothing was written. Restore into an empty directory"
                    + (overwrite ? ", or remove it" : ", or use FilesTarget.directory(..).replaceExisting() to replace existing files"));
        }
    }

    /** {@code target} and those of its ancestors that do not exist yet, outermost first. */
    private static List<Path> missingDirectories(Path target) {
        List<Path> missing = new ArrayList<>();
        for (Path p = target; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        return missing;
    }

    private static void removeIfEmpty(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (DirectoryNotEmptyException kept) {
                return; // something else was put there meanwhile: keep it and its parents
            } catch (IOException e) {
                return;
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
