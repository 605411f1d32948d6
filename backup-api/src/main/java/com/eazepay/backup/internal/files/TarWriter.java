package com.eazepay.backup.internal.files;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

/** Writes paths as a POSIX (pax) tar stream keeping relative paths, modes, mtimes and symlinks. */
public final class TarWriter {

    /** What was written. */
    public record Stats(long files, long directories, long symlinks, long bytes) {
    }

    private TarWriter() {
    }

    /** Writes the tar to {@code out}; does not close {@code out}. */
    public static Stats write(List<Path> roots, OutputStream out) throws IOException {
        long[] counts = new long[4];
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        for (Path root : roots) {
            Path base = root.getParent();
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    add(tar, base, dir, counts);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    add(tar, base, file, counts);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    throw new IOException("cannot read " + file + ": " + exc.getMessage(), exc);
                }
            });
        }
        tar.finish();
        tar.close();
        return new Stats(counts[0], counts[1], counts[2], counts[3]);
    }

    private static void add(TarArchiveOutputStream tar, Path base, Path path, long[] counts) throws IOException {
        String name = base.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry entry;
        if (attrs.isSymbolicLink()) {
            entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
            counts[2]++;
        } else if (attrs.isDirectory()) {
            entry = new TarArchiveEntry(name + "/");
            counts[1]++;
        } else if (attrs.isRegularFile()) {
            entry = new TarArchiveEntry(name);
            entry.setSize(attrs.size());
            counts[0]++;
        } else {
            return; // sockets, fifos, devices: not configuration
        }
        entry.setMode((entry.isDirectory() ? 040000 : entry.isSymbolicLink() ? 0120000 : 0100000) | mode(attrs.permissions()));
        entry.setModTime(attrs.lastModifiedTime());
        entry.setUserName(attrs.owner().getName());
        entry.setGroupName(attrs.group().getName());
        tar.putArchiveEntry(entry);
        if (attrs.isRegularFile()) {
            try (InputStream in = Files.newInputStream(path)) {
                long copied = in.transferTo(tar);
                if (copied != attrs.size()) {
                    throw new IOException(path + " changed size while being backed up (" + attrs.size() + " -> " + copied
                            + " bytes); back it up again");
                }
                counts[3] += copied;
            }
        }
        tar.closeArchiveEntry();
    }

    static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return m;
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
