package io.tunefleet.worker.bench;

import java.util.Random;

/**
 * Prompts of about a requested number of tokens: plain English words, cut to four characters per
 * token, the rule of thumb BPE tokenizers follow and the one the sim engine counts by. A real
 * engine's tokenizer may count a little differently; the benchmark reports the server's count.
 */
final class Prompts {

    private static final String[] WORDS = ("the quick brown fox jumps over lazy dog while engines serve many "
            + "tokens per second across eight accelerators and a scheduler batches requests into steps").split(" ");

    private Prompts() {
    }

    static String of(int tokens, Random random) {
        int chars = tokens * 4;
        StringBuilder sb = new StringBuilder(chars + 16);
        while (sb.length() < chars) {
            sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        sb.setLength(chars);
        return sb.toString();
    }
}
