/** Configurations holding Junos secrets, in each format, and the secrets they hold. */
// Junos secrets as they come back in each format.
const HASH6 = '$6$abcdefgh$SHA512CRYPTHASHVALUE0123456789';
const NINE = '$9$Ab1CdEfGhIjKlMn0pQ';
const XML = `<configuration xmlns:junos="http://xml.juniper.net/junos/*/junos" xmlns:jnx="urn:example:jnx"><system><root-authentication><encrypted-password>${HASH6}</encrypted-password></root-authentication>
<login><user><name>ops</name><authentication><encrypted-password junos:changed="x">$1$md5saltt$md5hashhashhash</encrypted-password></authentication></user></login></system>
<security><ike><policy><name>p1</name><pre-shared-key><ascii-text>${NINE}</ascii-text></pre-shared-key></policy></ike></security>
<protocols><ospf><area><interface><authentication><md5><authentication-key>plain-md5-key</authentication-key></md5></authentication></interface></area></ospf></protocols>
<snmp><community><name>s3cr3t-community</name><authorization>read-only</authorization></community></snmp>
<services><radius><secret>radius-shared</secret><jnx:simple-password>pw-simple</jnx:simple-password></radius></services></configuration>`;
const TEXT = `system {
    root-authentication {
        encrypted-password "${HASH6}"; ## SECRET-DATA
    }
    radius-server 10.0.0.1 secret "${NINE}"; ## SECRET-DATA
}
security { ike { policy p1 { pre-shared-key ascii-text "${NINE}"; } } }
snmp { community s3cr3t-community { authorization read-only; } }`;
const SET = `set system root-authentication encrypted-password "${HASH6}"
set snmp community s3cr3t-community authorization read-only
set protocols ospf area 0 interface ge-0/0/0 authentication md5 1 key plain-md5-key
set system radius-server 10.0.0.1 secret plaintext-radius`;
const JSON_CFG = `{"configuration":{"system":{"root-authentication":{"encrypted-password":"${HASH6}"}},"snmp":{"community":[{"name":"s3cr3t-community"}]},"radius":{"secret":"radius-shared"}}}`;
const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

export const SECRETS = [HASH6, NINE, '$1$md5saltt$md5hashhashhash', 'plain-md5-key', 's3cr3t-community', 'radius-shared', 'pw-simple', 'plaintext-radius', 'b3BlbnNzaC1rZXktdjEAAAAA'];
export const SECRET_CONFIG = { XML, TEXT, SET, JSON: JSON_CFG, PEM };

