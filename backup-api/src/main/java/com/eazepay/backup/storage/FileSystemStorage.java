package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ListVisitor;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A repository on a local or mounted filesystem. Each object is one file under the root directory.
 *
 * <ul>
 *   <li>{@code put} writes a hidden temporary file ({@code .tmp-*}) in the target directory, fsyncs
 *       it and renames it into place atomically, then fsyncs the directory: a crash or failed input
 *       leaves no visible object.</li>
 *   <li>{@code putIfAbsent} links the fsynced temporary file to the key ({@code link(2)} fails
 *       atomically if the key exists), so concurrent callers, even in different processes on the
 *       same filesystem, cannot both win.</li>
 *   <li>{@code list} never reports temporary files. Temporary files left by a process that was
 *       killed mid-write are removed by prune once older than its grace period
 *       ({@link #reclaimTemporaryFiles}).</li>
 *   <li>Durability: the temporary file is fsynced before the rename, the directory after it, and a
 *       directory this storage has not yet seen durable ({@code {source}/{id}/} of a new backup) is
 *       fsynced in its parent, up to the root, before {@code put} returns. A directory fsync that
 *       fails fails the put ({@code STORAGE_UNAVAILABLE}); it is skipped only on Windows, which
 *       cannot open directories.</li>
 *   <li>{@code delete}, and a put that failed, remove directories left empty up to the root, so
 *       pruned and failed backups leave no empty {@code {source}/{id}/} directories.</li>
 * </ul>
 * Thread-safe. Errors: {@code STORAGE_FAILED} (permissions, not a directory), {@code STORAGE_UNAVAILABLE}
 * (other I/O errors, retryable), {@code NOT_FOUND}.
 */
public final class FileSystemStorage implements StorageTarget {

    private static final String TMP_PREFIX = ".tmp-";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileSystemStorage.class);
    private static final boolean DIRECTORY_FSYNC = !System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
            .startsWith("windows");

    private final Path root;
    /** Directories whose entry is known durable in their parent (fsynced after creation or first sight). */
    private final java.util.Set<Path> durableDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final DirectorySync directorySync;

    /** How a directory is fsynced; replaceable in tests only (a failing fsync cannot be provoked on a real disk). */
    interface DirectorySync {
        void fsync(Path dir) throws IOException;
    }

    private FileSystemStorage(Path root) {
        this(root, FileSystemStorage::fsyncDirectoryForReal);
    }

    FileSystemStorage(Path root, DirectorySync directorySync) {
        this.root = root;
        this.directorySync = directorySync;
    }

    /**
     * A repository rooted at {@code directory}, which is created (with parents) on first write if missing.
     */
    public static FileSystemStorage at(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new FileSystemStorage(directory.toAbsolutePath().normalize());
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return "file://" + root;
    }

    private Path resolve(String key) {
        Keys.validate(key);
        return root.resolve(key);
    }

    @Override
    public void put(String key, InputStream data, PutOptions options) {
        Path target = resolve(key);
        Path tmp = writeTemp(target, data, key);
        boolean moved = false;
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            fsyncDirectory(target.getParent());
            makeDirectoriesDurable(target.getParent());
        } catch (IOException e) {
            throw ioFailure("put", key, e);
        } finally {
            if (!moved) {
                deleteTemp(tmp, key);
            }
        }
    }

    @Override
    public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
        Path target = resolve(key);
        if (Files.exists(target)) {
            return false;
        }
        Path tmp = writeTemp(target, data, key);
        try {
            Files.createLink(target, tmp);
            fsyncDirectory(target.getParent());
            makeDirectoriesDurable(target.getParent());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            throw e instanceof IOException io ? ioFailure("putIfAbsent", key, io)
                    : new BackupException(CoreErrorCode.STORAGE_FAILED, "putIfAbsent " + key + " on " + describe()
                    + " needs hard links, which this filesystem does not support", e);
        } finally {
            deleteTemp(tmp, key); // linked or not, the temporary name goes
        }
    }

    private Path writeTemp(Path target, InputStream data, String key) {
        Path tmp = null;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                Files.createDirectories(target.getParent());
                tmp = target.resolveSibling(TMP_PREFIX + UUID.randomUUID());
                try {
                    ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (NoSuchFileException raced) {
                    // a concurrent delete removed the directory it had just left empty: create it again
                    tmp = null;
                    if (attempt == 2) {
                        throw raced;
                    }
                }
            }
            try (FileChannel c = ch; OutputStream out = Channels.newOutputStream(c)) {
                data.transferTo(out);
                out.flush();
                c.force(true);
            }
            return tmp;
        } catch (IOException e) {
            BackupException failure = ioFailure("put", key, e);
            deleteTemp(tmp, key, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            deleteTemp(tmp, key, e);
            throw e;
        }
    }

    /**
     * Fsyncs {@code dir} in its parent, and so on up to the root, for each directory not yet known
     * durable: a new {@code {source}/{id}/} must survive a power loss once a put in it returned.
     */
    private void makeDirectoriesDurable(Path dir) throws IOException {
        for (Path d = dir; d != null && !d.equals(root) && d.startsWith(root); d = d.getParent()) {
            if (durableDirectories.contains(d)) {
                return;
            }
            fsyncDirectory(d.getParent());
            durableDirectories.add(d);
        }
    }

    @Override
    public InputStream get(String key) {
        return get(key, ByteRange.from(0));
    }

    @Override
    public InputStream get(String key, ByteRange range) {
        Path path = resolve(key);
        try {
            SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ);
            try {
                ch.position(range.offset());
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            InputStream in = Channels.newInputStream(ch);
            return range.toEnd() ? in : new com.eazepay.backup.internal.io.LimitedInputStream(in, range.length());
        } catch (NoSuchFileException e) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no object " + key + " in " + describe(), e);
        } catch (IOException e) {
            throw ioFailure("get", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path path = resolve(key);
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw ioFailure("stat", key, e);
        }
    }

    @Override
    public void list(String prefix, ListVisitor visitor) {
        Objects.requireNonNull(prefix, "prefix");
        int slash = prefix.lastIndexOf('/');
        Path base = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(base)) {
            return;
        }
        try (Stream<Path> files = Files.walk(base)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith(TMP_PREFIX)) {
                    continue;
                }
                String key = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                if (!key.startsWith(prefix)) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (NoSuchFileException gone) {
                    continue; // deleted while listing
                }
                if (a.isRegularFile()) {
                    visitor.visit(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException io = e instanceof IOException x ? x : ((java.io.UncheckedIOException) e).getCause();
            throw ioFailure("list", prefix, io);
        }
    }

    @Override
    public void delete(String key) {
        Path path = resolve(key);
        try {
            if (!Files.deleteIfExists(path)) {
                return;
            }
            removeEmptyParents(path);
        } catch (IOException e) {
            throw ioFailure("delete", key, e);
        }
    }

    /** Removes now-empty parent directories of {@code path} up to the root, so deletions leave no litter. */
    private void removeEmptyParents(Path path) throws IOException {
        Path dir = path.getParent();
        while (dir != null && !dir.equals(root) && dir.startsWith(root)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    break;
                }
            } catch (NoSuchFileException race) {
                break;
            }
            try {
                Files.delete(dir);
                durableDirectories.remove(dir);
            } catch (java.nio.file.DirectoryNotEmptyException | NoSuchFileException race) {
                break;
            }
            dir = dir.getParent();
        }
    }

    /**
     * Deletes the hidden temporary files ({@code .tmp-*}) under {@code prefix} last modified before
     * {@code olderThan}: files of puts whose process was killed (an active put keeps writing its
     * file, so its modification time stays recent). Directories left empty are removed.
     *
     * @param dryRun only report what would be deleted
     * @return the deleted (would be) files, relative to the root with {@code /} separators
     * @throws BackupException {@code STORAGE_*} if listing or deleting fails
     */
    public java.util.List<String> reclaimTemporaryFiles(String prefix, java.time.Instant olderThan, boolean dryRun) {
        Objects.requireNonNull(prefix, "prefix");
        int slash = prefix.lastIndexOf('/');
        Path base = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        java.util.List<String> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(base)) {
            return removed;
        }
        java.util.List<Path> candidates = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(base)) {
            files.filter(p -> p.getFileName().toString().startsWith(TMP_PREFIX)).forEach(candidates::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException io = e instanceof IOException x ? x : ((java.io.UncheckedIOException) e).getCause();
            throw ioFailure("list temporary files of", prefix, io);
        }
        for (Path p : candidates) {
            String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile() || !a.lastModifiedTime().toInstant().isBefore(olderThan)) {
                    continue;
                }
                if (!dryRun) {
                    if (!Files.deleteIfExists(p)) {
                        continue;
                    }
                    removeEmptyParents(p);
                }
                removed.add(rel);
            } catch (NoSuchFileException gone) {
                // finished or cleaned up meanwhile
            } catch (IOException e) {
                throw ioFailure("delete temporary file", rel, e);
            }
        }
        return removed;
    }

    private void fsyncDirectory(Path dir) throws IOException {
        directorySync.fsync(dir);
    }

    private static void fsyncDirectoryForReal(Path dir) throws IOException {
        if (!DIRECTORY_FSYNC) {
            return; // Windows cannot open a directory; NTFS journals the rename itself
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void deleteTemp(Path tmp, String key) {
        deleteTemp(tmp, key, null);
    }

    /**
     * Deletes a put's temporary file and the directories it leaves empty (a failed backup leaves no
     * empty {@code {source}/{id}/}). Does not depend on the thread's interrupt flag. A failure is
     * added to {@code failure} if given, else logged: the file is then reclaimed by a later prune.
     */
    private void deleteTemp(Path tmp, String key, Throwable failure) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
            removeEmptyParents(tmp);
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                LOG.warn("removing the temporary file {} of {} on {} failed: {}; a prune removes it after its grace"
                        + " period", tmp.getFileName(), key, describe(), e.toString());
            }
        }
    }

    private BackupException ioFailure(String op, String key, IOException e) {
        if (e instanceof AccessDeniedException) {
            return new BackupException(CoreErrorCode.STORAGE_FAILED, op + " " + key + " on " + describe()
                    + " failed: permission denied on " + e.getMessage() + "; check the directory's owner and mode", e);
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                && fse.getReason().contains("Not a directory")) {
            return new BackupException(CoreErrorCode.STORAGE_FAILED, op + " " + key + " on " + describe()
                    + " failed: a path component is not a directory (" + e.getMessage() + ")", e);
        }
        return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, op + " " + key + " on " + describe()
                + " failed: " + e, e);
    }

    @Override
    public String toString() {
        return "FileSystemStorage[" + root + "]";
    }
}
