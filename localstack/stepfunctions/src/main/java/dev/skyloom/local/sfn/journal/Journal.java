package dev.skyloom.local.sfn.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, checksummed record log with snapshots. Files in the data directory:
 * {@code snapshot-N.bin} (the whole state as records, written to a temporary file and renamed atomically) and
 * {@code journal-N.log} (records appended since that snapshot). Each record is framed as
 * {@code [int length][int crc32c][bytes]}; recovery stops at the first torn, corrupt or empty frame and truncates
 * there.
 *
 * <p>Appends go to a memory-mapped region of the log ({@code MAP_SHARED}): once {@link #append} returns, the record
 * is in the kernel's page cache, so it survives a kill -9 of the process without a system call per record. The
 * {@link FsyncPolicy} decides when the pages are forced to the disk (power loss).
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final int HEADER = 8;

    private static final int REGION = 64 * 1024 * 1024;

    private final Path dir;
    private final FsyncPolicy policy;
    private FileChannel channel;
    private java.nio.MappedByteBuffer region;
    private long regionStart;
    private long generation;
    private long size;
    private volatile boolean dirty;
    private final ScheduledExecutorService flusher;
    private final CRC32C crc = new CRC32C();
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    private Journal(Path dir, FsyncPolicy policy) {
        this.dir = dir;
        this.policy = policy;
        if (policy == FsyncPolicy.BATCH) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sfn-journal-flusher");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleWithFixedDelay(this::flushQuietly, 5, 5, TimeUnit.MILLISECONDS);
        } else {
            flusher = null;
        }
    }

    /**
     * Opens the journal in {@code dir}, feeding every recovered record (snapshot first, then the log) to
     * {@code replay}, and leaves the log open for appends.
     */
    public static Journal open(Path dir, FsyncPolicy policy, Consumer<byte[]> replay) {
        try {
            Files.createDirectories(dir);
            Journal j = new Journal(dir, policy);
            j.lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                j.lock = j.lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                j.lock = null; // held by another engine in this JVM
            }
            if (j.lock == null) {
                j.lockChannel.close();
                j.close();
                throw new IllegalStateException("the Step Functions data directory " + dir
                        + " is in use by another engine; close it first (one engine per directory)");
            }
            long gen = latestSnapshot(dir);
            j.generation = gen;
            if (gen > 0) {
                readAll(dir.resolve(snapshotName(gen)), replay, false);
            }
            Path log = dir.resolve(logName(gen));
            long valid = Files.exists(log) ? readAll(log, replay, true) : 0;
            j.channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            if (j.channel.size() > valid) {
                LOG.warn("journal_truncated file={} from={} to={}", log, j.channel.size(), valid);
                j.channel.truncate(valid);
            }
            j.size = valid;
            j.mapFrom(valid, 0);
            j.deleteOlderThan(gen);
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the Step Functions journal in " + dir, e);
        }
    }

    private static String snapshotName(long gen) {
        return String.format("snapshot-%012d.bin", gen);
    }

    private static String logName(long gen) {
        return String.format("journal-%012d.log", gen);
    }

    private static long latestSnapshot(Path dir) throws IOException {
        long best = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "snapshot-*.bin")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                best = Math.max(best, Long.parseLong(n.substring(9, n.length() - 4)));
            }
        }
        return best;
    }

    /** Reads framed records; returns the byte length of the valid prefix. */
    private static long readAll(Path file, Consumer<byte[]> replay, boolean tolerateTornTail) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all);
        CRC32C crc = new CRC32C();
        long valid = 0;
        while (b.remaining() >= HEADER) {
            int len = b.getInt();
            int sum = b.getInt();
            if (len <= 0 || len > b.remaining()) {
                break;
            }
            byte[] rec = new byte[len];
            b.get(rec);
            crc.reset();
            crc.update(rec);
            if ((int) crc.getValue() != sum) {
                break;
            }
            replay.accept(rec);
            valid = b.position();
        }
        if (valid != all.length && !tolerateTornTail) {
            throw new IOException("snapshot " + file + " is corrupt at byte " + valid);
        }
        return valid;
    }

    /** Maps the log from {@code position} for at least {@code need} bytes. */
    private void mapFrom(long position, int need) throws IOException {
        if (region != null && policy != FsyncPolicy.NEVER) {
            region.force();
        }
        regionStart = position;
        region = channel.map(FileChannel.MapMode.READ_WRITE, position, Math.max(REGION, need));
    }

    /** Appends one record. It is in the OS page cache when this returns (and on disk if the policy is ALWAYS). */
    public void append(byte[] record) {
        append(record, record.length);
    }

    /** Appends the first {@code length} bytes of {@code record}. */
    public synchronized void append(byte[] record, int length) {
        try {
            int need = HEADER + length;
            long offset = size - regionStart;
            if (offset + need > region.capacity()) {
                mapFrom(size, need);
                offset = 0;
            }
            crc.reset();
            crc.update(record, 0, length);
            int at = (int) offset;
            region.put(at + HEADER, record, 0, length);
            region.putInt(at + 4, (int) crc.getValue());
            region.putInt(at, length);
            size += need;
            if (policy == FsyncPolicy.ALWAYS) {
                region.force(at, need);
            } else {
                dirty = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("journal write failed", e);
        }
    }

    public synchronized long size() {
        return size;
    }

    private void flushQuietly() {
        if (!dirty) {
            return;
        }
        try {
            java.nio.MappedByteBuffer r;
            synchronized (this) {
                r = region;
                dirty = false;
            }
            if (r != null) {
                r.force();
            }
        } catch (RuntimeException e) {
            LOG.debug("journal_flush_failed error={}", e.toString());
        }
    }

    /**
     * Replaces snapshot and log by a snapshot of {@code records} (the whole current state). The caller must keep
     * appends out while this runs.
     */
    public synchronized void compact(List<byte[]> records) {
        long next = generation + 1;
        Path tmp = dir.resolve(snapshotName(next) + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32C c = new CRC32C();
            for (byte[] r : records) {
                c.reset();
                c.update(r);
                ByteBuffer b = ByteBuffer.allocate(HEADER + r.length);
                b.putInt(r.length).putInt((int) c.getValue()).put(r).flip();
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot write failed", e);
        }
        try {
            Files.move(tmp, dir.resolve(snapshotName(next)), StandardCopyOption.ATOMIC_MOVE);
            fsyncDir();
            FileChannel old = channel;
            channel = FileChannel.open(dir.resolve(logName(next)), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
            region = null;
            old.close();
            generation = next;
            size = 0;
            mapFrom(0, 0);
            deleteOlderThan(next);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot switch failed", e);
        }
    }

    private void fsyncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported on every platform
        }
    }

    private void deleteOlderThan(long gen) throws IOException {
        List<Path> old = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if ((n.startsWith("snapshot-") || n.startsWith("journal-")) && n.length() > 21) {
                    String digits = n.replaceAll("\\D", "");
                    if (!digits.isEmpty() && Long.parseLong(digits) < gen) {
                        old.add(p);
                    }
                }
                if (n.endsWith(".tmp")) {
                    old.add(p);
                }
            }
        }
        for (Path p : old) {
            Files.deleteIfExists(p);
        }
    }

    @Override
    public synchronized void close() {
        if (flusher != null) {
            flusher.shutdownNow();
        }
        try {
            if (channel != null && channel.isOpen()) {
                if (policy != FsyncPolicy.NEVER && region != null) {
                    region.force();
                }
                region = null;
                channel.truncate(size); // drop the unused, zero-filled tail of the mapping
                if (policy != FsyncPolicy.NEVER) {
                    channel.force(true);
                }
                channel.close();
            }
        } catch (IOException e) {
            LOG.warn("journal_close_failed error={}", e.toString());
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("journal_unlock_failed error={}", e.toString());
        }
    }
}
