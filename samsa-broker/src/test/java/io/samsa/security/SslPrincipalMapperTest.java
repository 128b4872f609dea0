package io.samsa.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SslPrincipalMapperTest {

    @Test
    void defaultKeepsTheDistinguishedName() {
        assertThat(SslPrincipalMapper.parse(null).name("CN=alice,OU=apps,O=Samsa")).isEqualTo("CN=alice,OU=apps,O=Samsa");
        assertThat(SslPrincipalMapper.parse("DEFAULT").name("CN=x")).isEqualTo("CN=x");
    }

    @Test
    void theFirstMatchingRuleWinsWithCaseChangesAndCommasInsidePatterns() {
        SslPrincipalMapper mapper = SslPrincipalMapper.parse(
                "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/U,DEFAULT");
        assertThat(mapper.name("CN=Duke,OU=ServiceUsers,O=Org")).isEqualTo("duke");
        assertThat(mapper.name("CN=alice,OU=apps,O=Samsa")).isEqualTo("ALICE@APPS");
        assertThat(mapper.name("CN=other")).isEqualTo("CN=other");
    }

    @Test
    void noMatchingRuleOrABadRuleIsAnError() {
        assertThatThrownBy(() -> SslPrincipalMapper.parse("RULE:^CN=a$/x/").name("CN=b"))
                .hasMessageContaining("applies to CN=b");
        assertThatThrownBy(() -> SslPrincipalMapper.parse("RULE:broken")).hasMessageContaining("RULE:broken");
        assertThatThrownBy(() -> SslPrincipalMapper.parse("NONSENSE")).hasMessageContaining("NONSENSE");
    }
}
