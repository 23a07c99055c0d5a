package org.seemore.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.seemore.UserException;
import org.seemore.data.Example;
import org.seemore.data.image.ImageTransform;
import org.seemore.tensor.Rng;

/**
 * The endless, shuffled stream of training batches. Example order is a pure function of the seed:
 * the stream is the concatenation of one seeded permutation per epoch, and batch j holds stream
 * items {@code [j*B, (j+1)*B)}; so a resumed run that starts at batch j sees exactly what an
 * uninterrupted one would. A background thread decodes and transforms the images of the next
 * batches, so the training step never waits on I/O.
 */
public final class BatchStream implements AutoCloseable {
    private static final long CACHE_BYTES = 256L << 20;

    private final List<Example> examples;
    private final SequenceEncoder encoder;
    private final ImageTransform transform;
    private final int batchSize;
    private final long seed;
    private final float[][] imageCache;
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private long consumed;
    private volatile boolean closed;

    /**
     * @param transform  image preprocessing, or null for text-only data
     * @param startBatch the first batch to produce (for resuming)
     */
    public BatchStream(List<Example> examples, SequenceEncoder encoder, ImageTransform transform,
                       int batchSize, long seed, long startBatch) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        this.examples = examples;
        this.encoder = encoder;
        this.transform = transform;
        this.batchSize = batchSize;
        this.seed = seed;
        this.consumed = startBatch;
        this.imageCache = imageCacheBytes(examples.size(), transform) > 0 ? new float[examples.size()][] : null;
        this.queue = new ArrayBlockingQueue<>(4);
        this.producer = Thread.ofPlatform().daemon().name("seemore-batches").start(() -> produce(startBatch));
    }

    /** The bytes the decoded images of {@code examples} records take in the cache: all of them when they fit in 256 MB, else none. */
    public static long imageCacheBytes(int examples, ImageTransform transform) {
        long all = transform == null ? 0 : 3L * transform.size() * transform.size() * 4 * examples;
        return all <= CACHE_BYTES ? all : 0;
    }

    private void produce(long from) {
        try {
            int[] order = null;
            long orderEpoch = -1;
            for (long j = from; !closed; j++) {
                List<Integer> picks = new ArrayList<>(batchSize);
                for (long i = j * batchSize; i < (j + 1) * batchSize; i++) {
                    long epoch = i / examples.size();
                    if (epoch != orderEpoch) {
                        order = permutation(examples.size(), seed, epoch);
                        orderEpoch = epoch;
                    }
                    picks.add(order[(int) (i % examples.size())]);
                }
                queue.put(build(picks));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) { // handed to next(), so the training thread fails instead of waiting forever
            try {
                queue.put(e);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A seeded Fisher–Yates permutation of 0..n-1 for one epoch. */
    static int[] permutation(int n, long seed, long epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Rng rng = new Rng(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int k = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        return p;
    }

    /** Encodes and pads the given examples, with their images when the data has them. */
    Batch build(List<Integer> picks) {
        List<SequenceEncoder.Encoded> encoded = new ArrayList<>(picks.size());
        List<float[]> images = transform == null ? null : new ArrayList<>(picks.size());
        for (int i : picks) {
            encoded.add(encoder.encode(examples.get(i)));
            if (images != null) images.add(image(i));
        }
        return Batch.assemble(encoded, images, transform == null ? 0 : transform.size());
    }

    private float[] image(int index) {
        if (imageCache != null && imageCache[index] != null) return imageCache[index];
        Example e = examples.get(index);
        if (e.image() == null) throw new UserException(e.origin() + ": record has no image, but the model is trained on images");
        float[] pixels = transform.apply(e.image());
        if (imageCache != null) imageCache[index] = pixels;
        return pixels;
    }

    /** The next batch (blocks until the producer has it). */
    public Batch next() {
        try {
            Object item = queue.take();
            if (item instanceof RuntimeException e) throw e;
            if (item instanceof Error e) throw e;
            consumed++;
            return (Batch) item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
    }

    /** Batches handed out so far, counting those before a resume. */
    public long position() {
        return consumed;
    }

    @Override
    public void close() {
        closed = true;
        producer.interrupt();
    }
}
