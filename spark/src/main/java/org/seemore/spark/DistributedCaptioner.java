package org.seemore.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;
import org.seemore.data.image.ImageTransform;
import org.seemore.generate.Sampler;
import org.seemore.model.ModelDirectory;
import org.seemore.train.Evaluator;

/**
 * Captions rows of {@link CaptionInputs#SCHEMA} on the executors: each task takes its executor's model
 * from {@link ModelCache} and captions its partition in batches with the core's {@link Evaluator#caption}
 * (greedy, KV-cached {@link org.seemore.generate.Generator}). Output rows: id, caption, tokens (generated
 * token count), millis (the batch's wall time shared over its records) and the reference, if any.
 */
public final class DistributedCaptioner {
    /** The output's schema. */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("caption", DataTypes.StringType, false)
            .add("tokens", DataTypes.IntegerType, false)
            .add("millis", DataTypes.DoubleType, false)
            .add("reference", DataTypes.StringType, true);

    /** Exact match and character error rate over a whole set (CER: edits summed over reference characters summed). */
    public record Scores(long records, double exactMatch, double charErrorRate) {}

    private DistributedCaptioner() {}

    /** The captions of {@code inputs}, lazily (a Spark plan); {@code batchSize} records per generator call. */
    public static Dataset<Row> caption(Dataset<Row> inputs, String modelDir, int batchSize, int maxTokens) {
        MapPartitionsFunction<Row, Row> task = rows -> captionPartition(rows, modelDir, batchSize, maxTokens);
        return inputs.mapPartitions(task, ExpressionEncoder.apply(SCHEMA));
    }

    private static Iterator<Row> captionPartition(Iterator<Row> rows, String modelDir, int batchSize, int maxTokens) {
        ModelDirectory.Loaded loaded = ModelCache.get(modelDir);
        ImageTransform transform = ImageTransform.imagenet(loaded.model().config().imageSize());
        List<Row> out = new ArrayList<>();
        List<Row> chunk = new ArrayList<>();
        // the model's buffers and caches are not shared between threads: the executor's tasks take turns,
        // each using all its cores through the kernels' own thread pool
        synchronized (loaded) {
            Evaluator evaluator = new Evaluator(loaded.model(), loaded.tokenizer(), transform, batchSize);
            while (rows.hasNext()) {
                chunk.add(rows.next());
                if (chunk.size() == batchSize || !rows.hasNext()) {
                    captionChunk(evaluator, chunk, maxTokens, out);
                    chunk.clear();
                }
            }
        }
        return out.iterator();
    }

    private static void captionChunk(Evaluator evaluator, List<Row> chunk, int maxTokens, List<Row> out) {
        List<Example> examples = new ArrayList<>();
        for (Row r : chunk) {
            String id = r.getString(0), reference = r.isNullAt(3) ? "" : r.getString(3);
            examples.add(new Example(id, new ImageSource.EncodedImage(id, (byte[]) r.get(1)), r.getString(2), reference));
        }
        long t0 = System.nanoTime();
        List<Evaluator.Sample> samples = evaluator.caption(examples, Sampler.greedy(), 0, maxTokens);
        double millis = (System.nanoTime() - t0) / 1e6 / chunk.size();
        for (int i = 0; i < samples.size(); i++) {
            String caption = samples.get(i).generated();
            out.add(RowFactory.create(chunk.get(i).getString(0), caption, caption.codePointCount(0, caption.length()), millis,
                    chunk.get(i).isNullAt(3) ? null : chunk.get(i).getString(3)));
        }
    }

    /** Scores captions (rows of {@link #SCHEMA}) against their references, over the whole set. */
    public static Scores score(Dataset<Row> captions) {
        Dataset<Row> scored = captions.filter(captions.col("reference").isNotNull());
        long[] sums = scored.map((org.apache.spark.api.java.function.MapFunction<Row, long[]>) r -> {
            String caption = r.getString(1), reference = r.getString(4);
            return new long[] {1, caption.equals(reference) ? 1 : 0, Evaluator.editDistance(caption, reference),
                    reference.codePointCount(0, reference.length())};
        }, Encoders.javaSerialization(long[].class)).reduce((org.apache.spark.api.java.function.ReduceFunction<long[]>) (a, b) ->
                new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]});
        return new Scores(sums[0], sums[0] == 0 ? 0 : (double) sums[1] / sums[0], sums[3] == 0 ? 0 : (double) sums[2] / sums[3]);
    }
}
