package com.eazepay.backup;

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
 *   <li>{@code list} never reports temporary files.</li>
 * </ul>
 * Thread-safe. Errors: {@code STORAGE_FAILED} (permissions, not a directory), {@code STORAGE_UNAVAILABLE}
 * (other I/O errors, retryable), {@code NOT_FOUND}.
 */
public final class FileSystemStorage implements StorageTarget {

    private static final String TMP_PREFIX = ".tmp-";

    private final Path root;

    private FileSystemStorage(Path root) {
        this.root = root;
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
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw ioFailure("put", key, e);
        } finally {
            deleteQuietly(tmp);
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
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            throw e instanceof IOException io ? ioFailure("putIfAbsent", key, io)
                    : new BackupException(CoreErrorCode.STORAGE_FAILED, "putIfAbsent " + key + " on " + describe()
                    + " needs hard links, which this filesystem does not support", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private Path writeTemp(Path target, InputStream data, String key) {
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = target.resolveSibling(TMP_PREFIX + UUID.randomUUID());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                data.transferTo(out);
                out.flush();
                ch.force(true);
            }
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw ioFailure("put", key, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
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
            // Remove now-empty parent directories up to the root, so pruned backups leave no litter.
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
                } catch (java.nio.file.DirectoryNotEmptyException | NoSuchFileException race) {
                    break;
                }
                dir = dir.getParent();
            }
        } catch (IOException e) {
            throw ioFailure("delete", key, e);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some filesystems cannot open directories for fsync; the file itself was fsynced.
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover .tmp- file is invisible to list and harmless
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
