package org.crmsync.actionkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crmsync.model.OptInStatus;
import org.crmsync.model.Profile;
import org.crmsync.report.Outcome;
import org.crmsync.report.RunStatus;
import org.crmsync.report.SyncReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Large batches through the upload API, with its traps: blank cells, errors read after completion, 500s. */
class ActionKitUploadTest {
    private final ActionKitFixture f = new ActionKitFixture();

    @BeforeEach
    void importPage() {
        f.ak.addPage("mobile_commons_import", "Import", Map.of());
        f.set(ActionKitConfig.UPLOAD_PAGE, "mobile_commons_import");
    }

    @AfterEach
    void close() {
        f.close();
    }

    private List<Profile> signUps(int n) {
        List<Profile> people = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            people.add(f.signUp("F" + i, "L" + i, "p" + i + "@example.org", String.format("+1415%03d%04d", 600, i),
                    OptInStatus.OPTED_IN));
        }
        return people;
    }

    private String constituent(Profile p) {
        return f.profile(p.localId().orElseThrow()).constituentId().orElseThrow();
    }

    @Test
    void sixtyNewOptInsAreOneUploadThenTheirPhones() {
        List<Profile> people = signUps(60);

        SyncReport r = f.outbound();

        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(60);
        assertThat(f.ak.requests("POST /upload/")).isEqualTo(1);
        assertThat(f.ak.requests("POST /user/")).isZero();
        assertThat(f.ak.requests("POST /phone/")).isEqualTo(60);
        String id = constituent(people.get(7));
        assertThat(f.ak.value(id, "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.value(id, "source")).contains("Mobile Commons");
        assertThat(f.ak.phonesOf(id)).containsExactly("mobile/Mobile Commons/+14156000007");
        assertThat(f.ak.uploadedFiles().get(0)).startsWith("first_name,last_name,email,source,user_mobile_subscriber\n");
    }

    @Test
    void sixtyConservativeLinksOfKnownUsersWithoutAMobileAreOneUploadThenEachSubscribersNumberAsItsOwnPhone() {
        f.policy = f.policy.toBuilder().mode(org.crmsync.policy.SyncMode.CONSERVATIVE).build();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            users.add(f.ak.addUser(ActionKitFixture.user("Known" + i, "L" + i, "p" + i + "@example.org", null, false)));
        }
        List<Profile> people = signUps(60);
        f.ak.resetCounts();

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(60);
        assertThat(f.ak.requests("POST /upload/")).isEqualTo(1);
        assertThat(f.ak.uploadedFiles().get(0)).startsWith("user_id,user_mobile_subscriber\n");
        assertThat(constituent(people.get(7))).isEqualTo(users.get(7));
        assertThat(f.ak.value(users.get(7), "first_name")).as("conservative: nothing else changed").contains("Known7");
        assertThat(f.ak.value(users.get(7), "user_mobile_subscriber")).contains("true");
        assertThat(f.ak.phonesOf(users.get(7))).containsExactly("mobile/Mobile Commons/+14156000007");
        assertThat(f.ak.requests("POST /phone/")).isEqualTo(60);
    }

    @Test
    void sixtyOptOutsAreOneUploadOfUserIdsAndTheSubscriberField() {
        List<Profile> people = signUps(60);
        f.outbound();
        f.later(Duration.ofMinutes(5));
        people.forEach(p -> f.appUpdate(f.profile(p.localId().orElseThrow()).toBuilder()
                .optInStatus(OptInStatus.OPTED_OUT).build()));
        f.ak.resetCounts();

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(60);
        assertThat(f.ak.value(constituent(people.get(3)), "user_mobile_subscriber")).contains("false");
        assertThat(f.ak.requests("POST /upload/")).isEqualTo(1);
        assertThat(f.ak.requests("PATCH /user/{id}/")).isZero();
        String file = f.ak.uploadedFiles().get(1);
        assertThat(file).startsWith("user_id,user_mobile_subscriber\n").doesNotContain("@");
    }

    @Test
    void rowsWithOtherColumnsGoInFilesOfTheirOwnSoNoBlankCellOverwritesAValue() {
        List<Profile> people = signUps(120);
        f.outbound();
        f.later(Duration.ofMinutes(5));
        for (int i = 0; i < 120; i++) {
            Profile p = f.profile(people.get(i).localId().orElseThrow());
            // 60 opt out; 60 get a new first name and no last name (the profile's blank leaves ActionKit's value).
            f.appUpdate(i < 60 ? p.toBuilder().optInStatus(OptInStatus.OPTED_OUT).build()
                    : p.toBuilder().firstName("New" + i).lastName(null).build());
        }

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.UPDATED)).isEqualTo(120);
        List<String> files = f.ak.uploadedFiles().subList(1, f.ak.uploadedFiles().size());
        assertThat(files).hasSize(2);
        assertThat(files).allSatisfy(file -> assertThat(file).doesNotContain(",,").doesNotContain(",\n"));
        String renamed = constituent(people.get(100));
        assertThat(f.ak.value(renamed, "first_name")).contains("New100");
        assertThat(f.ak.value(renamed, "last_name")).contains("L100");
    }

    @Test
    void aChangedEmailInAnUploadedBatchIsWrittenThroughTheUserResourceAndATakenOneFailsAlone() {
        List<Profile> people = signUps(60);
        f.outbound();
        f.later(Duration.ofMinutes(5));
        for (int i = 0; i < 60; i++) {
            Profile p = f.profile(people.get(i).localId().orElseThrow());
            f.appUpdate(p.toBuilder().firstName("Renamed" + i).email(i == 1 ? "new1@example.org"
                    : i == 2 ? "p3@example.org" : p.email().orElseThrow()).build());
        }

        SyncReport r = f.outbound();

        assertThat(f.ak.value(constituent(people.get(1)), "email")).contains("new1@example.org");
        assertThat(f.ak.value(constituent(people.get(1)), "first_name")).contains("Renamed1");
        assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("belongs to another ActionKit user"));
        assertThat(f.ak.uploadedFiles().get(1)).doesNotContain("@");
    }

    @Test
    void aRowTheImportRefusesFailsAloneWithTheUploadsErrorAndNoEmail() {
        f.ak.uploadRowsFail(email -> email.equals("p13@example.org"));
        signUps(60);

        SyncReport r = f.outbound();

        assertThat(r.count(Outcome.CREATED)).isEqualTo(59);
        assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("did not import this row").contains("Row 15").doesNotContain("p13@example.org"));
        assertThat(f.ak.requests("GET /uploaderror/")).isEqualTo(1);
    }

    @Test
    void anUploadWhose500HidesABadRowGoesRecordByRecordAndTheBadRowGetsItsOwnError() {
        f.ak.hideBadRowsBehind500();
        List<Profile> people = signUps(60);
        for (int i = 0; i < 60; i++) {
            Profile p = f.profile(people.get(i).localId().orElseThrow());
            f.appUpdate(p.toBuilder().postalCode(i == 13 ? "941031234567" : "94103").build()); // one zip too long
        }

        SyncReport r = f.outbound();

        assertThat(f.ak.requests("POST /upload/")).isEqualTo(1);
        assertThat(f.ak.requests("POST /user/")).isEqualTo(60);
        assertThat(r.count(Outcome.CREATED)).isEqualTo(59);
        assertThat(r.rows(Outcome.FAILED)).singleElement().satisfies(row -> assertThat(row.message())
                .contains("zip").contains("at most 5 characters"));
    }

    @Test
    void anUploadNotDoneInTimeLeavesItsUsersToTheNextRunWhichLinksThemWithoutDuplicates() {
        f.ak.uploadDelay(Duration.ofMinutes(30));
        f.set(ActionKitConfig.UPLOAD_TIMEOUT, "1m");
        List<Profile> people = signUps(60);

        SyncReport first = f.outbound();

        assertThat(first.count(Outcome.FAILED)).isEqualTo(60);
        assertThat(first.rows(Outcome.FAILED).get(0).message()).contains("had not completed").contains("upload.timeout");
        f.later(Duration.ofHours(1));
        f.ak.uploadDelay(Duration.ofSeconds(3));
        SyncReport second = f.outbound();

        assertThat(second.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(second.count(Outcome.UPDATED)).as("linked to the users the slow upload made").isEqualTo(60);
        assertThat(f.ak.userIds()).hasSize(60);
        assertThat(people).allSatisfy(p -> {
            String id = constituent(p);
            assertThat(f.ak.phonesOf(id)).hasSize(1);
        });
    }
}
