package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crmsync.SyncDirection;
import org.crmsync.spi.PreflightProblem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Preflight against the simulator: the login, the seed's subscriber field, the schemas, the pages. */
class ActionKitPreflightTest {
    private final ActionKitFixture f = new ActionKitFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<PreflightProblem> preflight(SyncDirection direction) {
        try (var session = f.connector().open(new DirectContext(f, direction))) {
            return session.preflight();
        }
    }

    @Test
    void aSetUpInstancePassesForEveryDirection() {
        assertThat(preflight(SyncDirection.INBOUND)).isEmpty();
        assertThat(preflight(SyncDirection.OUTBOUND)).isEmpty();
    }

    @Test
    void aWrongPasswordIsTheCredentialsProblemWithoutThePassword() {
        f.set(ActionKitConfig.PASSWORD, "wrong-password-123");

        List<PreflightProblem> problems = preflight(SyncDirection.INBOUND);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.subject()).isEqualTo("credentials");
            assertThat(p.message()).contains("401").contains("login and password").doesNotContain("wrong-password-123");
        });
    }

    @Test
    void aUserWithoutPermissionIsToldAboutSuperuserStatus() {
        f.ak.withoutPermission();

        assertThat(preflight(SyncDirection.INBOUND)).singleElement().satisfies(p -> assertThat(p.message())
                .contains("403").contains("Superuser"));
    }

    @Test
    void aMissingSubscriberFieldSaysHowToCreateIt() {
        f.ak.removeAllowedField("mobile_subscriber");

        assertThat(preflight(SyncDirection.OUTBOUND)).singleElement().satisfies(p -> {
            assertThat(p.subject()).isEqualTo("mobile_subscriber");
            assertThat(p.message()).contains("Add allowed user field").contains("Mobile Subscriber")
                    .contains("false=No and true=Yes");
        });
    }

    @Test
    void aRequiredSubscriberFieldWithOtherChoicesIsReportedWithBothFixes() {
        f.ak.addAllowedField("mobile_subscriber", "Mobile Subscriber", true, "yes=Yes\nno=No");

        assertThat(preflight(SyncDirection.OUTBOUND)).singleElement().satisfies(p -> assertThat(p.message())
                .contains("marked Required").contains("untick Required").contains("yes=Yes, no=No")
                .contains("exactly false=No and true=Yes"));
    }

    @Test
    void aSchemaWithoutTheChangedUsersFiltersStopsTheInboundSync() {
        f.ak.restrictUserFilters(Map.of("email", Set.of("exact"), "updated_at", Set.of("gte")));

        assertThat(preflight(SyncDirection.INBOUND)).singleElement().satisfies(p -> assertThat(p.message())
                .contains("updated_at__gt").contains("id__gt").doesNotContain("updated_at__gte"));
    }

    @Test
    void aMappedCustomFieldActionKitLacksIsReported() {
        f.mapping = f.mapping.toBuilder().rule(org.crmsync.mapping.FieldRule.builder("van_id").apiName("user_van_id")
                .build()).build();

        assertThat(preflight(SyncDirection.INBOUND)).singleElement().satisfies(p -> assertThat(p.subject())
                .isEqualTo("user_van_id"));
    }

    @Test
    void anUploadPageThatIsNotAnImportPageIsReported() {
        f.ak.addPage("signup_sms", "Signup", Map.of());
        f.set(ActionKitConfig.UPLOAD_PAGE, "signup_sms");

        assertThat(preflight(SyncDirection.OUTBOUND)).singleElement().satisfies(p -> assertThat(p.message())
                .contains("Signup page").contains("Import page"));
    }
}
