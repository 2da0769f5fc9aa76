package io.tunefleet.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading the host pids out of a {@code docker top} answer, without a Docker engine. */
class DockerEngineTopTest {

    @Test
    void thePidColumnIsReadWhereverItIs() {
        String[] titles = {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"};
        String[][] processes = {
            {"root", "4242", "4200", "0", "10:00", "?", "00:00:01", "python3 -m vllm.entrypoints.openai.api_server"},
            {"root", "4250", "4242", "0", "10:00", "?", "00:00:00", "python3 -c from multiprocessing ..."},
        };

        assertThat(DockerEngine.hostPids(titles, processes)).containsExactlyInAnyOrder(4242, 4250);
        assertThat(DockerEngine.hostPids(new String[] {"USER", "PID", "%CPU"}, new String[][] {{"root", "7", "0.0"}}))
                .containsExactly(7);
    }

    @Test
    void anAnswerWithoutAPidColumnOrWithOddRowsGivesWhatItCan() {
        assertThat(DockerEngine.hostPids(new String[] {"UID", "CMD"}, new String[][] {{"root", "sh"}})).isEmpty();
        assertThat(DockerEngine.hostPids(null, null)).isEmpty();
        assertThat(DockerEngine.hostPids(new String[] {"UID", "PID"},
                new String[][] {{"root"}, {"root", "n/a"}, null, {"root", " 12 "}})).containsExactly(12);
    }
}
