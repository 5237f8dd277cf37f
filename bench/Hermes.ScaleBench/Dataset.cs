using System.Globalization;
using Hermes.Configuration;
using Hermes.Domain;

namespace Hermes.ScaleBench;

/// <summary>
/// A hermes_v2 database as production has it: hermes_v2's schema (the baseline migration, nothing of Hermes's), then
/// <c>n</c> companies, each with one contact, one deal and one custom field value, written with generate_series.
/// Hermes then adopts it, so its own migrations (0008's concurrent index builds included) run on the loaded tables.
/// Names, emails and phones vary as real ones do (see <see cref="Stem"/>).
/// </summary>
static class Dataset
{
    public const string SalesEmail = "pat.payg@tutorcruncher.example";
    public const string AdminEmail = "bench.admin@tutorcruncher.example";
    public const string AdminPassword = "bench-password-1";
    public const string HermesIdOrgField = "7f8959760703808f36b3795c15310566b74f5134";

    // Names built from syllables, as varied as real ones: about 65,000 distinct stems, so a distinctive word matches a
    // handful of companies, while the second words (Tutors, Academy…) and one surname in ten (Smith) are common.
    static readonly string[] Syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "zu", "be", "da", "fe", "gi", "ho", "ju",
        "ki", "le", "ma", "no", "pe", "qua", "ra", "se", "to", "un", "va", "wi", "xe", "yo", "ze", "bra", "cle", "dri", "fla", "gro",
        "pla", "sti", "tre", "vin", "mor", "lan", "rik", "sol"];
    static readonly string[] SecondWords = ["Tutors", "Tutoring", "Academy", "Learning", "Education", "Minds", "Scholars", "Classes"];
    static readonly string[] FirstNames = ["Ann", "Ben", "Cat", "Dan", "Eva", "Fay", "Gus", "Hal", "Ivy", "Joe", "Kim", "Lea", "Max", "Nia", "Oli", "Pam"];

    static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
    static string Syllable(int i) => Syllables[i % Syllables.Length];

    /// <summary>Company <paramref name="i"/>'s distinctive word, as the load writes it.</summary>
    public static string Stem(int i) => Capital(Syllable(i % 43) + Syllable(i / 43 % 41) + Syllable(i / 1763 % 37));
    public static string CompanyName(int i) => $"{Stem(i)} {SecondWords[i / 7 % 8]}";
    public static string Website(int i) => $"https://{Stem(i).ToLowerInvariant()}-{i}.example.com";
    public static string FirstName(int i) => FirstNames[i % FirstNames.Length];
    public static string LastName(int i) => i % 10 == 0 ? "Smith" : Capital(Syllable(i / 3 % 43) + Syllable(i / 129 % 41) + "son");
    public static string Email(int i) => $"{FirstName(i).ToLowerInvariant()}.{LastName(i).ToLowerInvariant()}{i % 100}@{Stem(i).ToLowerInvariant()}-{i}.example.com";

    public static string Baseline => SchemaMigrator.All(DatabaseKind.Postgres).First(m => m.Id == SchemaMigrator.BaselineId).Sql;

    static string Array(string[] words) => "ARRAY[" + string.Join(",", words.Select(w => $"'{w}'")) + "]";

    public static string Load(int n)
    {
        var syl = Array(Syllables);
        var second = Array(SecondWords);
        var firstNames = Array(FirstNames);
        var count = n.ToString(CultureInfo.InvariantCulture);
        // The same expressions as Stem, LastName and Email above (SQL arrays count from 1).
        var stem = $"initcap(({syl})[1 + i % 43] || ({syl})[1 + (i / 43) % 41] || ({syl})[1 + (i / 1763) % 37])";
        var lastName = $"CASE WHEN i % 10 = 0 THEN 'Smith' ELSE initcap(({syl})[1 + (i / 3) % 43] || ({syl})[1 + (i / 129) % 41] || 'son') END";
        return $"""
            INSERT INTO admin (id, username, first_name, last_name, timezone, tc2_admin_id, pd_owner_id, is_sales_person, is_support_person,
                               sells_payg, sells_startup, sells_enterprise, sells_us, sells_gb, sells_au, sells_ca, sells_eu, sells_row)
            VALUES (1, '{SalesEmail}', 'Pat', 'Payg', 'Europe/London', 101, 11, true, false, true, true, false, true, true, true, true, true, true),
                   (2, 'eve.enterprise@tutorcruncher.example', 'Eve', 'Enterprise', 'Europe/London', 102, 12, true, false, false, true, true, true, true, true, true, true, true),
                   (3, 'sam.support@tutorcruncher.example', 'Sam', 'Support', 'Europe/London', 103, 13, false, true, false, false, false, false, false, false, false, false, false);
            SELECT setval('admin_id_seq', 3);
            INSERT INTO stage (id, pd_stage_id, name) VALUES (1, 11, 'New'), (2, 12, 'Demo booked');
            INSERT INTO pipeline (id, pd_pipeline_id, name, dft_entry_stage_id) VALUES (1, 21, 'PAYG', 1), (2, 22, 'Enterprise', 2);
            INSERT INTO config (id, payg_pipeline_id, startup_pipeline_id, enterprise_pipeline_id) VALUES (1, 1, 1, 2);
            SELECT setval('stage_id_seq', 2), setval('pipeline_id_seq', 2), setval('config_id_seq', 1);
            INSERT INTO customfield (id, name, machine_name, field_type, hermes_field_name, tc2_machine_name, pd_field_id, linked_object_type)
            VALUES (1, 'Hermes ID', 'hermes_id', 'fk_field', 'id', 'hermes_id', '{HermesIdOrgField}', 'Company'),
                   (2, 'Source', 'source', 'str', NULL, 'source', 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'Company');
            SELECT setval('customfield_id_seq', 2);

            INSERT INTO company (id, name, tc2_agency_id, tc2_cligency_id, tc2_status, pd_org_id, created, price_plan, country, website,
                                 sales_person_id, support_person_id, has_booked_call, paid_invoice_count)
            SELECT i, {stem} || ' ' || ({second})[1 + (i / 7) % 8],
                   i, i, (ARRAY['active','trial','pending_email_conf','suspended'])[1 + i % 4], i,
                   timestamptz '2020-01-01' + i * interval '2 minutes',
                   (ARRAY['payg','startup','enterprise'])[1 + i % 3], (ARRAY['GB','US','AU','CA','FR'])[1 + i % 5],
                   'https://' || lower({stem}) || '-' || i || '.example.com',
                   1 + i % 2, CASE WHEN i % 3 = 0 THEN 3 END, i % 2 = 0, i % 7
            FROM generate_series(1, {count}) i;
            INSERT INTO contact (id, tc2_sr_id, pd_person_id, created, first_name, last_name, email, phone, country, company_id)
            SELECT i, i, i, timestamptz '2020-01-01' + i * interval '2 minutes', ({firstNames})[1 + i % 16], {lastName},
                   lower(({firstNames})[1 + i % 16]) || '.' || lower({lastName}) || (i % 100) || '@' || lower({stem}) || '-' || i || '.example.com',
                   '+44 7700 ' || lpad(i::text, 7, '0'), 'GB', i
            FROM generate_series(1, {count}) i;
            INSERT INTO deal (id, pd_deal_id, name, status, admin_id, company_id, contact_id, pipeline_id, stage_id)
            SELECT i, i, {stem} || ' ' || ({second})[1 + (i / 7) % 8], (ARRAY['open','won','lost'])[1 + i % 3], 1 + i % 2, i, i, 1, 1 + i % 2
            FROM generate_series(1, {count}) i;
            INSERT INTO customfieldvalue (id, value, custom_field_id, company_id)
            SELECT i, (ARRAY['google','referral','bing','direct'])[1 + i % 4], 2, i FROM generate_series(1, {count}) i;
            SELECT setval('company_id_seq', {count}), setval('contact_id_seq', {count}), setval('deal_id_seq', {count}),
                   setval('customfieldvalue_id_seq', {count});
            """;
    }
}
