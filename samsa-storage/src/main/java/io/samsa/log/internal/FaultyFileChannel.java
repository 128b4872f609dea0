package io.samsa.log.internal;

import io.samsa.log.StorageFaults;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * A file channel under a test's {@link StorageFaults}: reads go straight to the real channel; writes that grow the
 * file draw on the simulated capacity (writing what fits, then failing with "No space left on device"), and the
 * fault mode can fail every write, truncation and fsync. Only positional writes are used by the log layer; the
 * relative ones fail the same way.
 */
final class FaultyFileChannel extends FileChannel {

    private final Path file;
    private final FileChannel delegate;
    private final StorageFaults faults;

    FaultyFileChannel(Path file, FileChannel delegate, StorageFaults faults) {
        this.file = file;
        this.delegate = delegate;
        this.faults = faults;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = write(src, delegate.position());
        delegate.position(delegate.position() + n);
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public synchronized int write(ByteBuffer src, long position) throws IOException {
        faults.checkWrite(file);
        long size = delegate.size();
        long growth = Math.max(0, position + src.remaining() - size);
        long granted = faults.reserve(growth);
        if (granted == growth) {
            return delegate.write(src, position);
        }
        // What fits is written, as a real file system does before it runs out: the caller sees a torn write.
        int fits = (int) Math.max(0, size + granted - position);
        if (fits > 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + fits);
            int written = delegate.write(part, position);
            src.position(src.position() + written);
        }
        throw StorageFaults.noSpace();
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public synchronized FileChannel truncate(long size) throws IOException {
        faults.checkWrite(file);
        long before = delegate.size();
        delegate.truncate(size);
        if (size < before) {
            faults.release(before - size);
        }
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        faults.checkWrite(file);
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("the log layer never transfers into its files");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
