package io.tunefleet.coordinator.strategy;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A Parzen estimator over encoded points: an equal-weight mixture of one uniform prior component and
 * one product kernel per point (a truncated Gaussian on {@code [0, 1]} per numeric dimension, a
 * smoothed point mass per categorical one). Bandwidths shrink with the number of points as in Scott's
 * rule, never below the step between neighbouring values of a discrete dimension.
 */
final class Parzen {

    /** Scott-like bandwidth factor on the unit interval. */
    static final double BANDWIDTH = 0.15;

    private final SpaceEncoding encoding;
    private final List<double[]> points;
    private final double[] sigma;
    private final double[] categoryEps;
    /** Per point and numeric dimension: the truncated kernel's normalizing mass on [0, 1]. */
    private final double[][] mass;

    Parzen(SpaceEncoding encoding, List<double[]> points) {
        this.encoding = encoding;
        this.points = points;
        int dims = encoding.dims();
        double base = BANDWIDTH * Math.pow(Math.max(1, points.size()), -1.0 / (dims + 4));
        this.sigma = new double[dims];
        this.categoryEps = new double[dims];
        for (int d = 0; d < dims; d++) {
            sigma[d] = Math.max(base, encoding.minBandwidth(d));
            categoryEps[d] = Math.min(0.9, 2 * base);
        }
        this.mass = new double[points.size()][dims];
        for (int i = 0; i < points.size(); i++) {
            for (int d = 0; d < dims; d++) {
                if (!encoding.categorical(d)) {
                    double mu = points.get(i)[d];
                    mass[i][d] = Math.max(1e-12, phi((1 - mu) / sigma[d]) - phi(-mu / sigma[d]));
                }
            }
        }
    }

    /** Draws from the mixture. */
    double[] sample(RandomGenerator random) {
        int component = random.nextInt(points.size() + 1);
        if (component == points.size()) {
            return encoding.sampleUniform(random);
        }
        double[] center = points.get(component);
        double[] x = new double[center.length];
        for (int d = 0; d < x.length; d++) {
            if (encoding.categorical(d)) {
                x[d] = random.nextDouble() < categoryEps[d] ? random.nextInt(encoding.categories(d)) : center[d];
            } else {
                double v = Double.NaN;
                for (int tries = 0; tries < 16 && !(v >= 0 && v <= 1); tries++) {
                    v = center[d] + sigma[d] * random.nextGaussian();
                }
                x[d] = Math.min(1, Math.max(0, v));
            }
        }
        return x;
    }

    /** Log of the mixture density at {@code x}. */
    double logDensity(double[] x) {
        double prior = 1;
        for (int d = 0; d < x.length; d++) {
            if (encoding.categorical(d)) {
                prior /= encoding.categories(d);
            }
        }
        double sum = prior;
        for (int i = 0; i < points.size(); i++) {
            double[] c = points.get(i);
            double k = 1;
            for (int d = 0; d < x.length && k > 0; d++) {
                if (encoding.categorical(d)) {
                    double eps = categoryEps[d] / encoding.categories(d);
                    k *= x[d] == c[d] ? 1 - categoryEps[d] + eps : eps;
                } else {
                    double z = (x[d] - c[d]) / sigma[d];
                    k *= Math.exp(-0.5 * z * z) / (sigma[d] * Math.sqrt(2 * Math.PI) * mass[i][d]);
                }
            }
            sum += k;
        }
        return Math.log(sum / (points.size() + 1));
    }

    /** Standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
    static double phi(double z) {
        double t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.sqrt(2));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erf = 1 - poly * Math.exp(-z * z / 2);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
