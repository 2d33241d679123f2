package org.crmsync.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;
import org.junit.jupiter.api.Test;

class PreflightChecksTest {
    @Test
    void refusedCredentialsAreAPreflightProblemAndACrmThatIsDownIsAFailure() {
        assertThat(PreflightChecks.credentials(() -> {
            throw new CrmSyncException(ErrorCode.AUTHENTICATION_FAILED, "the key was refused");
        })).singleElement().hasToString("credentials: the key was refused");
        assertThat(PreflightChecks.credentials(() -> { })).isEmpty();
        assertThatThrownBy(() -> PreflightChecks.credentials(() -> {
            throw new CrmSyncException(ErrorCode.REMOTE_UNAVAILABLE, "503");
        })).isInstanceOf(CrmSyncException.class);
    }

    @Test
    void aFieldSpelledInAnotherCaseGetsAHint() {
        List<String> known = List.of("Mobile_Subscriber__c", "Email");

        assertThat(PreflightChecks.caseHint("Acme", "mobile_subscriber__c", known))
                .isEqualTo(" (Acme spells it Mobile_Subscriber__c, and names are case-sensitive here)");
        assertThat(PreflightChecks.caseHint("Acme", "Phone", known)).isEmpty();
    }
}
