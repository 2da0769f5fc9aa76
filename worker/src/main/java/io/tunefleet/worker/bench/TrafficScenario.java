package io.tunefleet.worker.bench;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A traffic scenario in genai-bench notation: {@code D(in,out)} fixed lengths,
 * {@code N(mean_in,sd_in)/(mean_out,sd_out)} normal, {@code U(min_in,max_in)/(min_out,max_out)}
 * uniform (bounds included). Lengths are tokens, at least 1.
 */
public record TrafficScenario(String text, char kind, double[] in, double[] out) {

    private static final String NUM = "\\s*(\\d+(?:\\.\\d+)?)\\s*";
    private static final Pattern FIXED = Pattern.compile("D\\(" + NUM + "," + NUM + "\\)");
    private static final Pattern TWO = Pattern.compile("([NU])\\(" + NUM + "," + NUM + "\\)/\\(" + NUM + "," + NUM + "\\)");

    public static TrafficScenario parse(String text) {
        String s = text.trim();
        Matcher d = FIXED.matcher(s);
        if (d.matches()) {
            return new TrafficScenario(s, 'D', new double[] {num(d, 1)}, new double[] {num(d, 2)});
        }
        Matcher m = TWO.matcher(s);
        if (m.matches()) {
            char kind = m.group(1).charAt(0);
            double[] in = {num(m, 2), num(m, 3)};
            double[] out = {num(m, 4), num(m, 5)};
            if (kind == 'U' && (in[0] > in[1] || out[0] > out[1])) {
                throw new IllegalArgumentException("traffic scenario " + text + ": a minimum exceeds its maximum");
            }
            return new TrafficScenario(s, kind, in, out);
        }
        throw new IllegalArgumentException("traffic scenario " + text
                + " is not D(in,out), N(mean_in,sd_in)/(mean_out,sd_out) or U(min_in,max_in)/(min_out,max_out)");
    }

    /** Input and output tokens of the next request. */
    public int[] sample(Random random) {
        return new int[] {draw(in, random), draw(out, random)};
    }

    private int draw(double[] p, Random random) {
        double v = switch (kind) {
            case 'D' -> p[0];
            case 'N' -> p[0] + p[1] * random.nextGaussian();
            default -> p[0] + Math.floor(random.nextDouble() * (p[1] - p[0] + 1));
        };
        return (int) Math.max(1, Math.round(v));
    }

    private static double num(Matcher m, int group) {
        return Double.parseDouble(m.group(group));
    }

    @Override
    public String toString() {
        return text;
    }
}
