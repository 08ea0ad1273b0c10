# Demo data: loaded at the first start (small set), deterministic and identical on
# both databases, consistent ownership, hashed passwords, refused on a second load.
use strict;
use warnings;
use Test::More;
use Digest::MD5 qw(md5_hex);
use OroTest;

my %expected = (oro_organization => 3, oro_business_unit => 11, oro_access_role => 3,
                oro_user => 20, orocrm_account => 200, orocrm_contact => 1000,
                orocrm_sales_opportunity => 250, oro_product => 100, oro_order => 500);
for my $table (sort keys %expected) {
    my ($n) = sql("SELECT COUNT(*) FROM $table");
    is($n, $expected{$table}, "$table holds the small set's $expected{$table} rows");
}
my ($lines) = sql("SELECT COUNT(*) FROM oro_order_line_item");
ok($lines >= 500 && $lines <= 2500, "1-5 line items per order ($lines)");

# Seed 1 gives the same first contacts on every database and every run.
my @first = sql("SELECT id, first_name, last_name, primary_email FROM orocrm_contact "
                . "WHERE id <= 50 ORDER BY id");
is(md5_hex(join("\n", @first)), 'e5446e67eff77e9f80b252913f768eb0',
   'the first 50 contacts are those of seed 1') or diag join("\n", @first[0 .. 4]);

my ($admin) = sql("SELECT username FROM oro_user WHERE id = 1");
is($admin, 'admin', 'user 1 is admin');
my ($hash) = sql("SELECT password FROM oro_user WHERE id = 1");
like($hash, qr/^\$2y\$10\$/, 'the password is a bcrypt hash');
my $password = slurp(var_dir() . '/admin-password');
$password =~ s/\s+$//;
is(crypt($password, $hash), $hash, 'it is the hash of var/admin-password');
my ($roles) = sql("SELECT COUNT(*) FROM oro_user_access_role ur JOIN oro_access_role r "
                  . "ON r.id = ur.role_id WHERE ur.user_id = 1 AND r.role = 'ROLE_ADMINISTRATOR'");
is($roles, 1, 'admin is an administrator');
my ($orgs) = sql("SELECT COUNT(*) FROM oro_user_organization WHERE user_id = 1");
is($orgs, 3, 'admin is in every organization');

# Ownership as the ACL expects: the owner is a member of the record's organization.
for my $table (qw(orocrm_account orocrm_contact orocrm_sales_opportunity oro_order)) {
    my ($bad) = sql("SELECT COUNT(*) FROM $table t WHERE NOT EXISTS (SELECT 1 FROM "
                    . "oro_user_organization uo WHERE uo.user_id = t.owner_id "
                    . "AND uo.organization_id = t.organization_id)");
    is($bad, 0, "every $table owner belongs to the record's organization");
}
my ($cross) = sql("SELECT COUNT(*) FROM orocrm_contact c JOIN orocrm_account a ON a.id = c.account_id "
                  . "WHERE a.organization_id <> c.organization_id");
is($cross, 0, 'contacts stay in their account\'s organization');
my ($totals) = sql("SELECT COUNT(*) FROM oro_order o WHERE o.total <> (SELECT SUM(li.price * li.quantity) "
                   . "FROM oro_order_line_item li WHERE li.order_id = o.id)");
is($totals, 0, 'order totals are the sums of their lines');
my ($dupes) = sql("SELECT COUNT(*) FROM (SELECT primary_email FROM orocrm_contact WHERE primary_email "
                  . "IS NOT NULL GROUP BY primary_email HAVING COUNT(*) > 1) d");
is($dupes, 0, 'contact emails are unique');
my ($statuses) = sql("SELECT COUNT(*) FROM orocrm_sales_opportunity WHERE status NOT IN ('in_progress', 'won', 'lost')");
is($statuses, 0, 'enum values come from the definitions');

# ids go on after the demo rows
my ($next_ok) = sql("SELECT COUNT(*) FROM oro_organization");
sql("INSERT INTO oro_organization (name, enabled) VALUES ('After Demo', " . (($ENV{DB} || 'pgsql') eq 'mysql' ? 1 : 'true') . ")");
my ($after) = sql("SELECT id FROM oro_organization WHERE name = 'After Demo'");
is($after, 4, 'the next generated id follows the demo rows');
sql("DELETE FROM oro_organization WHERE name = 'After Demo'");

my ($rc, $out, $err) = oroctl('demo:load', '--quiet');
is($rc, 1, 'a second demo:load is refused');
like($err, qr/the database already holds data \(3 organizations\); demo:load fills an empty database only/,
     'with the reason');
for my $bad (['--size', 'huge'], ['--contacts', '-5'], ['--seed', 'x'], ['--frob']) {
    ($rc, $out, $err) = oroctl('demo:load', @$bad);
    is($rc, 2, "demo:load @$bad is a usage error");
    like($err, qr/\Q$bad->[0]\E/, "naming $bad->[0]");
}

done_testing;
