package dev.haven.samples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's main job runs end to end: routing shown, the crash survived, nothing lost. */
class RoutingAndFailoverDemoIT {

    @Test
    void theDemoShowsRoutingAndSurvivesTheCrash() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            RoutingAndFailoverDemo.main(new String[] {"--promote-after", "500"});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertThat(out).contains("writes went to {server_id=1=4}")
                .contains("reads went to  {server_id=2=3, server_id=3=3}")
                .contains("the write after the crash succeeded on server_id=2")
                .contains("rows visible on a replica of the new primary: 5 (5 written)");
    }
}
