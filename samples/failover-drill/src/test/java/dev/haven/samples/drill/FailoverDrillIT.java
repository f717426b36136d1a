package dev.haven.samples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drill's kill-primary run on a real cluster: no acknowledged write lost, never two writable nodes. */
class FailoverDrillIT {

    @Test
    void killPrimaryInObserveModeLosesNoAcknowledgedWrite(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("drill.json");
        Path html = dir.resolve("drill.html");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            FailoverDrill.main(new String[] {"--scenario", "kill-primary", "--runs", "1", "--json", json.toString(),
                    "--html", html.toString(), "--promote-after", "500"});
        } finally {
            System.setOut(original);
        }
        System.out.print(captured.toString(StandardCharsets.UTF_8));
        String report = Files.readString(json);
        assertThat(report).contains("\"scenario\": \"kill-primary\"", "\"client\": \"haven\"", "\"runs\": 1",
                "\"writeRtoMillis\"", "\"ackedWrites\"", "\"lostAckedWrites\": [0]", "\"maxWritableNodes\": [1]",
                "\"failedReads\": [0]", "\"promotions\": [1]");
        assertThat(Files.readString(html)).contains("<svg", "fault", "promotion");
    }

    @Test
    void badOptionsAreRefusedNamingWhatIsAllowed() {
        assertThatThrownBy(() -> FailoverDrill.main(new String[] {"--scenario", "meteor"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'meteor'").hasMessageContaining("kill-primary");
        assertThatThrownBy(() -> FailoverDrill.main(new String[] {"--client", "connectorj-replication"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not available yet");
    }
}
