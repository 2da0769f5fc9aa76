package io.tunefleet.coordinator.strategy;

import io.tunefleet.common.constraint.Constraints;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.param.ParameterSpace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Tree-structured Parzen Estimator (multivariate): splits the observed configurations into the best
 * few and the rest, models each group with a Parzen mixture of product kernels, draws candidates from
 * the good model and suggests the one with the highest ratio good / rest, weighted by the estimated
 * probability that it runs at all.
 *
 * <ul>
 *   <li><b>Parallel</b>: configurations suggested and not yet observed count as observed with the worst
 *       value seen (constant liar), so the next suggestion moves away from them; a batch of k
 *       suggestions is k distinct, spread-out configurations. No suggestion repeats one that is done or
 *       pending.</li>
 *   <li><b>Failures</b>: out-of-memory, invalid-config and unschedulable results feed a separate
 *       feasibility estimate (kernel-weighted share of infeasible neighbours), never a made-up
 *       objective value.</li>
 *   <li><b>Resume</b>: every suggestion draws from a generator seeded by (task seed, suggestion number)
 *       and models built from observations in key order, so a strategy rebuilt from the same history
 *       suggests what the original would have.</li>
 * </ul>
 */
final class BayesianSearch implements Strategy {

    /** Candidates drawn from the good model per suggestion. */
    static final int CANDIDATES = 48;
    /** Random points scored per suggestion while in the start phase. */
    static final int START_CANDIDATES = 24;
    /** Random draws before a finite space is searched in grid order for what is left. */
    static final int RANDOM_TRIES = 2_000;
    /**
     * Pseudo-counts of the feasibility estimate: a weak prior (one tenth of a neighbour, 10 % infeasible)
     * so that a few nearby failures outweigh it even where the kernels of other dimensions are small.
     */
    static final double PRIOR_WEIGHT = 0.1;
    static final double PRIOR_INFEASIBLE = 0.1;
    static final double FEASIBILITY_BANDWIDTH = 0.12;
    /** Below this estimated chance to run a candidate is taken only when no likelier one is left. */
    static final double LIKELY_INFEASIBLE = 0.5;
    static final double FEASIBILITY_CATEGORY_MISMATCH = 0.3;

    private final ParameterSpace space;
    private final SpaceEncoding encoding;
    private final Constraints constraints;
    private final boolean higherIsBetter;
    private final long seed;
    private final int initialRandom;
    /** Observed configurations by key; key order keeps the models independent of arrival order. */
    private final TreeMap<String, Observation> observed = new TreeMap<>();
    /** Suggested, not yet observed. */
    private final TreeMap<String, double[]> pending = new TreeMap<>();
    /** Keys suggested before a restart that this space cannot read back; never suggested again. */
    private final Set<String> unreadable = new HashSet<>();
    private long issued;
    /** The allowed grid points in order, walked from the first time random draws found nothing new on. */
    private final UntriedGridPoints untried;

    private record Observation(double[] x, Double loss, boolean infeasible) {
    }

    private record Scored(ParameterSet config, double[] x, double score) {
    }

    BayesianSearch(ParameterSpace space, Constraints constraints, boolean higherIsBetter, long seed,
                   int initialRandom, Set<String> alreadySuggested) {
        this.space = space;
        this.encoding = new SpaceEncoding(space);
        this.constraints = constraints;
        this.untried = new UntriedGridPoints(space, constraints);
        this.higherIsBetter = higherIsBetter;
        this.seed = seed;
        this.initialRandom = initialRandom;
        for (String key : alreadySuggested) {
            Optional<ParameterSet> config = space.fromKey(key);
            if (config.isPresent()) {
                pending.put(key, encoding.encode(config.get()));
            } else {
                unreadable.add(key);
            }
        }
        this.issued = alreadySuggested.size();
    }

    @Override
    public Optional<ParameterSet> suggest() {
        SplittableRandom random = new SplittableRandom(mix(seed, issued));
        issued++;
        long successes = observed.values().stream().filter(o -> o.loss != null).count();
        Optional<Scored> pick = issued <= initialRandom || successes < 2 ? start(random) : model(random);
        if (pick.isEmpty()) {
            pick = anyUnseen(random);
        }
        pick.ifPresent(p -> pending.put(p.config.key(), p.x));
        return pick.map(Scored::config);
    }

    @Override
    public void observe(ParameterSet parameters, Outcome outcome) {
        String key = parameters.key();
        double[] x = pending.remove(key);
        if (x == null) {
            x = encoding.encode(parameters);
        }
        Double loss = outcome.succeeded() ? (higherIsBetter ? -outcome.objective() : outcome.objective()) : null;
        observed.put(key, new Observation(x, loss, outcome.infeasible()));
    }

    /** Start phase: of a few random configurations, the one farthest from everything known that likely runs. */
    private Optional<Scored> start(SplittableRandom random) {
        List<double[]> known = new ArrayList<>(pending.values());
        observed.values().forEach(o -> known.add(o.x));
        Scored best = null;
        for (int i = 0; i < START_CANDIDATES; i++) {
            Optional<Scored> c = freshRandom(random);
            if (c.isEmpty()) {
                break;
            }
            double[] x = c.get().x;
            double nearest = 1;
            for (double[] k : known) {
                nearest = Math.min(nearest, distance(x, k));
            }
            double score = Math.log(nearest + 1e-3) + feasibilityScore(x);
            if (best == null || score > best.score) {
                best = new Scored(c.get().config, x, score);
            }
        }
        return Optional.ofNullable(best);
    }

    private Optional<Scored> model(SplittableRandom random) {
        List<Map.Entry<double[], Double>> points = new ArrayList<>();
        double worst = Double.NEGATIVE_INFINITY;
        for (Observation o : observed.values()) {
            if (o.loss != null) {
                points.add(Map.entry(o.x, o.loss));
                worst = Math.max(worst, o.loss);
            }
        }
        int real = points.size();
        for (double[] x : pending.values()) {
            points.add(Map.entry(x, worst));
        }
        points.sort(Comparator.comparingDouble(Map.Entry::getValue)); // stable: ties keep key order
        int nGood = goodCount(real);
        List<double[]> good = new ArrayList<>();
        List<double[]> bad = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            (i < nGood ? good : bad).add(points.get(i).getKey());
        }
        Parzen l = new Parzen(encoding, good);
        Parzen g = new Parzen(encoding, bad);
        Set<String> drawn = new HashSet<>();
        Scored best = null;
        for (int i = 0; i < CANDIDATES; i++) {
            ParameterSet config = encoding.decode(l.sample(random));
            String key = config.key();
            if (!drawn.add(key) || seen(key) || !constraints.allows(config)) {
                continue;
            }
            double[] x = encoding.encode(config);
            double score = l.logDensity(x) - g.logDensity(x) + feasibilityScore(x);
            if (best == null || score > best.score) {
                best = new Scored(config, x, score);
            }
        }
        return Optional.ofNullable(best);
    }

    /** Size of the good group: about a sixth of the observations, at least 1, at most 20. */
    static int goodCount(int observations) {
        return Math.max(1, Math.min(20, (int) Math.ceil(observations / 6.0)));
    }

    /** Log of the chance to run, and a large malus where the estimate says it likely will not. */
    private double feasibilityScore(double[] x) {
        double p = feasibility(x);
        return Math.log(p) - (p < LIKELY_INFEASIBLE ? 1_000 : 0);
    }

    /**
     * Estimated probability that a configuration runs: infeasible neighbours against all neighbours,
     * weighted by kernel similarity, with a weak prior.
     */
    double feasibility(double[] x) {
        double infeasible = PRIOR_WEIGHT * PRIOR_INFEASIBLE;
        double all = PRIOR_WEIGHT;
        for (Observation o : observed.values()) {
            if (o.loss == null && !o.infeasible) {
                continue;
            }
            double k = similarity(x, o.x);
            all += k;
            if (o.infeasible) {
                infeasible += k;
            }
        }
        return Math.max(1e-6, 1 - infeasible / all);
    }

    private double similarity(double[] a, double[] b) {
        double k = 1;
        for (int d = 0; d < a.length; d++) {
            if (encoding.categorical(d)) {
                k *= a[d] == b[d] ? 1 : FEASIBILITY_CATEGORY_MISMATCH;
            } else {
                double s = Math.max(FEASIBILITY_BANDWIDTH, encoding.minBandwidth(d));
                double z = (a[d] - b[d]) / s;
                k *= Math.exp(-0.5 * z * z);
            }
        }
        return k;
    }

    private double distance(double[] a, double[] b) {
        double sum = 0;
        for (int d = 0; d < a.length; d++) {
            double diff = encoding.categorical(d) ? (a[d] == b[d] ? 0 : 1) : a[d] - b[d];
            sum += diff * diff;
        }
        return Math.sqrt(sum / Math.max(1, a.length));
    }

    private Optional<Scored> freshRandom(SplittableRandom random) {
        for (int i = 0; i < RANDOM_TRIES; i++) {
            ParameterSet config = space.sample(random);
            if (!seen(config.key()) && constraints.allows(config)) {
                return Optional.of(new Scored(config, encoding.encode(config), 0));
            }
        }
        return Optional.empty();
    }

    /**
     * Anything not yet tried: random draws, then the allowed grid points in order. That walk steps only
     * through allowed points (see {@link UntriedGridPoints}) and goes on from where the last call left it, so
     * it costs at most one step per configuration, however large the grid.
     */
    private Optional<Scored> anyUnseen(SplittableRandom random) {
        Optional<Scored> r = freshRandom(random);
        if (r.isPresent()) {
            return r;
        }
        return untried.next(this::seen).map(config -> new Scored(config, encoding.encode(config), 0));
    }

    @Override
    public Optional<String> ended() {
        return untried.ended();
    }

    private boolean seen(String key) {
        return observed.containsKey(key) || pending.containsKey(key) || unreadable.contains(key);
    }

    private static long mix(long seed, long n) {
        long z = seed * 0x9E3779B97F4A7C15L + n * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
