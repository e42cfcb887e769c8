package io.citus.pgvector.cluster;

import java.util.SplittableRandom;

/**
 * A seeded, clustered synthetic dataset: every row is a Gaussian cluster center (a topic) plus Gaussian noise. With a
 * latent dimension L &gt; 0 the centers are one random linear image of standard normal points of an L-dimensional
 * space, so topics are graded, some near each other and most far apart, as the topics of real embeddings are (their
 * intrinsic dimension is far below their nominal one); with 0 every center is drawn independently in the full
 * dimension, so all topics are about equally far apart. A row's channel (the distribution column) is, with probability
 * {@code channelAffinity}, the channel its topic belongs to (topic {@code t} belongs to channel {@code t mod
 * channels}), and otherwise drawn at random: 0 scatters a channel's rows over the whole space, 1 gives every channel
 * its own topics. A query is drawn like a row, except that its channel is its topic's channel with probability
 * {@code queryAffinity}: 1 asks every channel about what it holds (an application searching a tenant's own documents),
 * {@code channelAffinity} makes queries follow the rows' distribution. Any row or query can be regenerated from its id
 * alone, so the data never has to be held in memory and exact distances can be recomputed for any id the database
 * returns.
 */
public final class SyntheticDataset {

    private final long seed;
    private final int rows;
    private final int dimension;
    private final int channels;
    private final int centers;
    private final int latentDimension;
    private final double noise;
    private final double channelAffinity;
    private final double queryAffinity;
    /** The linear map from the latent space, one row per dimension; null for independent centers. */
    private final float[][] projection;

    public SyntheticDataset(
            long seed,
            int rows,
            int dimension,
            int channels,
            int centers,
            int latentDimension,
            double noise,
            double channelAffinity,
            double queryAffinity) {
        if (rows < 1 || dimension < 1 || channels < 1 || centers < 1 || noise <= 0) {
            throw new IllegalArgumentException("rows, dimension, channels and centers must be positive and noise > 0");
        }
        if (latentDimension < 0 || latentDimension > dimension) {
            throw new IllegalArgumentException("the latent dimension must be between 0 (independent centers) and the"
                    + " dimension (" + dimension + "), not " + latentDimension);
        }
        if (channelAffinity < 0 || channelAffinity > 1) {
            throw new IllegalArgumentException("the channel affinity must be between 0 and 1, not " + channelAffinity);
        }
        if (queryAffinity < 0 || queryAffinity > 1) {
            throw new IllegalArgumentException("the query affinity must be between 0 and 1, not " + queryAffinity);
        }
        this.seed = seed;
        this.rows = rows;
        this.dimension = dimension;
        this.channels = channels;
        this.centers = centers;
        this.latentDimension = latentDimension;
        this.noise = noise;
        this.channelAffinity = channelAffinity;
        this.queryAffinity = queryAffinity;
        this.projection = latentDimension == 0 ? null : new float[dimension][];
        for (int i = 0; projection != null && i < dimension; i++) {
            projection[i] = gaussian(-1L - i, latentDimension, 1 / Math.sqrt(latentDimension));
        }
    }

    public long seed() {
        return seed;
    }

    public int rows() {
        return rows;
    }

    public int dimension() {
        return dimension;
    }

    public int channels() {
        return channels;
    }

    public int centers() {
        return centers;
    }

    public int latentDimension() {
        return latentDimension;
    }

    public double noise() {
        return noise;
    }

    public double channelAffinity() {
        return channelAffinity;
    }

    public double queryAffinity() {
        return queryAffinity;
    }

    /** One vector with its id and channel. */
    public record Item(long id, long channel, float[] vector) {}

    /** Row {@code id}, 1 to {@link #rows()}. */
    public Item row(long id) {
        return item(id, id, channelAffinity);
    }

    /** Query {@code index} (0-based): drawn like a row with the query affinity, never one of the rows. */
    public Item query(int index) {
        return item(index, -1L - index, queryAffinity);
    }

    private Item item(long id, long stream, double affinity) {
        SplittableRandom random = new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + stream));
        int topic = random.nextInt(centers);
        float[] center = center(topic);
        boolean topical = random.nextDouble() < affinity;
        int randomChannel = random.nextInt(channels);
        long channel = 1 + (topical ? topic % channels : randomChannel);
        float[] vector = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            vector[i] = (float) (center[i] + noise * random.nextGaussian());
        }
        return new Item(id, channel, vector);
    }

    /**
     * Center {@code index}: standard normal in every dimension, or the image of a standard normal latent point (every
     * coordinate then has variance 1 too).
     */
    private float[] center(int index) {
        if (projection == null) {
            return gaussian(index + 1L, dimension, 1.0);
        }
        float[] latent = gaussian(index + 1L, latentDimension, 1.0);
        float[] center = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            double sum = 0;
            for (int j = 0; j < latentDimension; j++) {
                sum += (double) projection[i][j] * latent[j];
            }
            center[i] = (float) sum;
        }
        return center;
    }

    private float[] gaussian(long stream, int size, double deviation) {
        SplittableRandom random = new SplittableRandom(mix(seed ^ (0x632BE59BD9B4E019L * stream)));
        float[] vector = new float[size];
        for (int i = 0; i < size; i++) {
            vector[i] = (float) (deviation * random.nextGaussian());
        }
        return vector;
    }

    /** The signature of the data in a table: a reused table must match it. */
    public String signature() {
        return "seed=" + seed + " rows=" + rows + " dimension=" + dimension + " channels=" + channels + " centers="
                + centers + " latent_dimension=" + latentDimension + " noise=" + noise + " channel_affinity="
                + channelAffinity;
    }

    /** pgvector's text form; Float.toString round-trips, so the database stores exactly these floats. */
    public static String text(float[] vector) {
        StringBuilder text = new StringBuilder(vector.length * 12).append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(vector[i]);
        }
        return text.append(']').toString();
    }

    /** Cosine distance, pgvector's {@code <=>}, computed in double. */
    public static double cosineDistance(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return 1 - dot / Math.sqrt(normA * normB);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
