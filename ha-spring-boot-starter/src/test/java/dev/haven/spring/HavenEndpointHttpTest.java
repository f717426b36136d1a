package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code haven} endpoint over HTTP, in a real web server with the application's full auto-configuration: once
 * exposed, it shows the topology but refuses a switchover until write access is granted on purpose; then a bad
 * target answers 400 and a switchover Haven refuses 409, each with its reason. The data source points at a closed
 * port on this machine, so there is no primary: every switchover is refused.
 */
class HavenEndpointHttpTest {

    static final String SECRET = "S3cret-app-pw";

    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
            "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"})
    static class App {
    }

    private static ConfigurableApplicationContext start(String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.datasource.url=" + HavenAutoConfigurationTest.HAVEN_URL,
                "spring.datasource.username=app", "spring.datasource.password=" + SECRET,
                "server.port=0", "management.endpoints.web.exposure.include=health,haven",
                "spring.main.banner-mode=off"));
        properties.addAll(List.of(more));
        return new SpringApplicationBuilder(App.class).properties(properties.toArray(new String[0])).run();
    }

    private static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
            String json) throws Exception {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anExposedEndpointIsReadOnlyUnlessWriteAccessIsGrantedOnPurpose() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            HttpResponse<String> view = send(context, "GET", "/actuator/haven", null);
            assertThat(view.statusCode()).isEqualTo(200);
            assertThat(view.body()).contains("\"dataSource\":\"dataSource\"").contains("127.0.0.1:9")
                    .doesNotContain(SECRET);

            HttpResponse<String> switchover = send(context, "POST", "/actuator/haven/switchover",
                    "{\"target\":\"127.0.0.1:9\"}");
            assertThat(switchover.statusCode()).as(switchover.body()).isIn(404, 405);
            HttpResponse<String> refresh = send(context, "POST", "/actuator/haven/refresh", "{}");
            assertThat(refresh.statusCode()).as(refresh.body()).isIn(404, 405);
        }
    }

    @Test
    void withWriteAccessARefusedSwitchoverIs409AndABadTarget400WithTheReason() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoint.haven.access=unrestricted")) {
            HttpResponse<String> refused = send(context, "POST", "/actuator/haven/switchover",
                    "{\"target\":\"127.0.0.1:9\"}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).contains("\"error\"").contains("refused").contains("no primary")
                    .doesNotContain(SECRET);

            HttpResponse<String> notANode = send(context, "POST", "/actuator/haven/switchover",
                    "{\"target\":\"db9.example:3306\"}");
            assertThat(notANode.statusCode()).as(notANode.body()).isEqualTo(400);
            assertThat(notANode.body()).contains("is not a node of the cluster").contains("127.0.0.1:9");

            HttpResponse<String> malformed = send(context, "POST", "/actuator/haven/switchover",
                    "{\"target\":\"db1:notaport\"}");
            assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
            assertThat(malformed.body()).contains("is not a host:port");

            HttpResponse<String> noTarget = send(context, "POST", "/actuator/haven/switchover", "{}");
            assertThat(noTarget.statusCode()).as(noTarget.body()).isEqualTo(400);
            assertThat(noTarget.body()).contains("needs a target");

            HttpResponse<String> refresh = send(context, "POST", "/actuator/haven/refresh", "{}");
            assertThat(refresh.statusCode()).as(refresh.body()).isEqualTo(200);

            HttpResponse<String> one = send(context, "GET", "/actuator/haven/dataSource", null);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(send(context, "GET", "/actuator/haven/noSuchDataSource", null).statusCode()).isEqualTo(404);
        }
    }
}
