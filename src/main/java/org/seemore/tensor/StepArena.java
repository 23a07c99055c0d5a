package org.seemore.tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scope of one training step whose tensor memory is recycled: while an arena is open on a
 * thread, the ops run on that thread take their output and gradient buffers from a
 * {@link BufferPool}, and every such buffer goes back to the pool, at the latest when the arena
 * closes. A training step then allocates almost nothing, and the pool stays as large as the step's
 * peak working set.
 *
 * <pre>{@code
 * try (StepArena arena = StepArena.open(pool)) {
 *     Tensor loss = model.loss(...);
 *     float value = loss.item();   // read what the step reports before it ends
 *     loss.backward();
 *     optimizer.step(lr);
 * }
 * }</pre>
 *
 * <p>Safety: a tensor whose storage goes back to the pool is released: its {@link Tensor#data()}
 * and everything that reads it throw. So is every view of that storage. A released buffer therefore
 * cannot be handed out again while a live tensor still reads it; only raw arrays taken out with
 * {@code data()} or {@code grad()} and held past the release are the caller's business. A tensor
 * the caller wants to keep beyond the step must be marked with {@link #keep}: its storage then
 * leaves the pool for good. Parameters, their gradients ({@link Tensor#gradBuffer} of a leaf) and
 * optimizer state never come from the pool.
 *
 * <p>Early release: {@link Tensor#backward()} inside an arena gives back each intermediate gradient
 * once no parent took it over, and each activation once every op that reads it has run its backward
 * step, so that the live set shrinks as the backward pass proceeds. After a backward pass in an
 * arena the forward tensors of its graph are released; read what is needed before it.
 *
 * <p>Per thread: ops on other threads, and everything outside an open arena, allocate as usual.
 */
public final class StepArena implements AutoCloseable {
    private static final ThreadLocal<StepArena> CURRENT = new ThreadLocal<>();

    /** A buffer on loan from the pool and the tensors whose storage it is (the first made it). */
    private static final class Lease {
        final float[] buffer;
        final List<Tensor> tensors = new ArrayList<>(2);
        List<float[]> companions; // the owner's backward scratch, released with its storage

        Lease(float[] buffer) { this.buffer = buffer; }
    }

    private final BufferPool pool;
    private final Thread thread;
    private final Map<float[], Lease> leases = new IdentityHashMap<>();
    private long leasedBytes, peakLeasedBytes;
    private boolean closed;

    private StepArena(BufferPool pool) {
        this.pool = pool;
        this.thread = Thread.currentThread();
    }

    /** Opens an arena on the current thread; arenas do not nest. */
    public static StepArena open(BufferPool pool) {
        if (CURRENT.get() != null) throw new IllegalStateException("a step arena is already open on this thread");
        StepArena arena = new StepArena(pool);
        CURRENT.set(arena);
        return arena;
    }

    /** The arena open on this thread, or null. */
    static StepArena current() {
        return CURRENT.get();
    }

    // ---- allocation (the ops' side) -------------------------------------------------------------

    /** A buffer of at least n zeros: from the open arena's pool, else a plain array of exactly n. */
    static float[] zeroed(int n) {
        StepArena arena = CURRENT.get();
        return arena == null || n < BufferPool.MIN_POOLED ? new float[n] : arena.lease(n, true);
    }

    /**
     * A buffer of at least n floats that the caller overwrites entirely before anyone reads it:
     * pooled buffers skip the zero fill.
     */
    static float[] uninitialized(int n) {
        StepArena arena = CURRENT.get();
        return arena == null || n < BufferPool.MIN_POOLED ? new float[n] : arena.lease(n, false);
    }

    private float[] lease(int n, boolean zero) {
        float[] buffer = pool.take(n, zero);
        leases.put(buffer, new Lease(buffer));
        leasedBytes += 4L * buffer.length;
        peakLeasedBytes = Math.max(peakLeasedBytes, leasedBytes);
        return buffer;
    }

    /** Called by every new tensor on this arena's thread: records it as a user of pooled storage. */
    void track(Tensor t, float[] storage) {
        Lease lease = leases.get(storage);
        if (lease != null) lease.tensors.add(t);
    }

    /**
     * Ties {@code scratch}, a buffer that only the backward step of {@code owner} reads, to owner's
     * storage, so that both go back to the pool together; without an open arena, nothing.
     */
    static void tie(Tensor owner, float[] scratch) {
        StepArena arena = CURRENT.get();
        if (arena != null) arena.companion(owner, scratch);
    }

    private void companion(Tensor owner, float[] scratch) {
        Lease lease = leases.get(owner.data()), extra = leases.get(scratch);
        if (lease == null || extra == null || !extra.tensors.isEmpty()) return; // stays until the arena closes
        if (lease.companions == null) lease.companions = new ArrayList<>(2);
        lease.companions.add(scratch);
    }

    /** Gives back a leased buffer that is no tensor's storage (an intermediate gradient); else nothing. */
    void releaseScratch(float[] buffer) {
        Lease lease = leases.get(buffer);
        if (lease != null && lease.tensors.isEmpty()) release(lease);
    }

    /** Gives back t's storage, releasing t and its views, when t made that storage; else nothing. */
    void releaseStorage(Tensor t, float[] storage) {
        Lease lease = leases.get(storage);
        if (lease != null && lease.tensors.get(0) == t) release(lease);
    }

    private void release(Lease lease) {
        leases.remove(lease.buffer);
        for (Tensor t : lease.tensors) t.release();
        leasedBytes -= 4L * lease.buffer.length;
        pool.give(lease.buffer);
        if (lease.companions != null) for (float[] c : lease.companions) releaseScratch(c);
    }

    // ---- the caller's side ----------------------------------------------------------------------

    /**
     * Lets t (and every view of its storage) outlive the step: its storage is no longer pooled.
     * Returns t. A tensor released already cannot be kept.
     */
    public Tensor keep(Tensor t) {
        checkOpen();
        float[] storage = t.data(); // throws when released
        leases.remove(storage);
        return t;
    }

    /** Bytes on loan right now. */
    public long leasedBytes() { return leasedBytes; }

    /** The most bytes on loan at once since the arena opened. */
    public long peakLeasedBytes() { return peakLeasedBytes; }

    /** Ends the step: every buffer still on loan goes back to the pool and its tensors are released. */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) throw new IllegalStateException("a step arena closes on the thread that opened it");
        for (Lease lease : new ArrayList<>(leases.values())) {
            if (leases.containsKey(lease.buffer)) release(lease);
        }
        pool.trim();
        closed = true;
        CURRENT.remove();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the step arena is closed");
    }
}
