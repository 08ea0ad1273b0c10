# Entity tables from the metadata: created by schema:update, safe to run twice, a new
# field added without losing data, destructive changes refused unless --force, a broken
# definition refused by every program.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use OroTest;

my $root = root_dir();
my $db = $ENV{DB} || 'pgsql';

# The stack's provisioning ran schema:update: every entity table exists.
my %tables = map { $_ => 1 } sql($db eq 'mysql'
    ? "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
    : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
for my $t (qw(oro_organization oro_business_unit oro_user oro_access_role orocrm_account
              orocrm_contact orocrm_sales_opportunity oro_product oro_catalog_category oro_order
              oro_order_line_item oro_user_access_role oro_user_organization oro_product_category)) {
    ok($tables{$t}, "table $t exists");
}
my ($rc, $out, $err) = oroctl('schema:update');
is($rc, 0, 'schema:update again') or diag $err;
like($out, qr/0 entity change\(s\)/, 'changes nothing the second time');
($rc, $out) = oroctl('schema:update', '--dry-run');
like($out, qr/0 migration\(s\) and 0 entity change\(s\) pending/, '--dry-run: nothing pending');

# A copy of the definitions with a new field, through a config that includes the stack's.
my $tmp = tempdir(CLEANUP => 1);
chmod 0755, $tmp;
mkdir "$tmp/entities";
system('cp', glob("$root/conf.d/entities/*.json"), "$tmp/entities") == 0 or die;
open my $fh, '>', "$tmp/test.conf" or die;
print $fh "Include " . config_path() . "\nOroEntityConfig $tmp/entities\n";
close $fh;
my @ctl = (out_dir() . '/oroctl', '--config', "$tmp/test.conf");
sub edit_contact {
    my ($code) = @_;
    my $file = "$tmp/entities/contact.json";
    my $def = decode_json(slurp($file));
    $code->($def);
    open my $w, '>', $file or die; print $w JSON::PP->new->pretty->encode($def); close $w;
}

# rows that must survive (an organization, unit and user of our own when the
# database has none yet)
my ($org) = sql("SELECT MIN(id) FROM oro_organization");
my $own_rows = !$org;
if ($own_rows) {
    sql("INSERT INTO oro_organization (name, enabled) VALUES ('Schema Test Org', " . ($db eq 'mysql' ? 1 : 'true') . ")");
    ($org) = sql("SELECT MIN(id) FROM oro_organization");
    sql("INSERT INTO oro_business_unit (name, organization_id) VALUES ('Schema Test Unit', $org)");
    my ($unit) = sql("SELECT MIN(id) FROM oro_business_unit");
    sql("INSERT INTO oro_user (username, email, enabled, login_count, business_unit_owner_id, organization_id) "
        . "VALUES ('schema-test', 'schema-test\@example.com', " . ($db eq 'mysql' ? 1 : 'true') . ", 0, $unit, $org)");
}
my ($user) = sql("SELECT MIN(id) FROM oro_user");
sql("INSERT INTO orocrm_contact (first_name, last_name, owner_id, organization_id) "
    . "VALUES ('Schema', 'Survivor', $user, $org)");
my ($before) = sql("SELECT COUNT(*) FROM orocrm_contact");

# createdAt / updatedAt are kept by the database, whoever writes
my ($created, $updated) = split /\t/, (sql("SELECT created_at, updated_at FROM orocrm_contact WHERE last_name = 'Survivor'"))[0];
ok($created && $created eq $updated, 'a new row gets createdAt = updatedAt by default');
select(undef, undef, undef, 0.05);
sql("UPDATE orocrm_contact SET job_title = 'Tester' WHERE last_name = 'Survivor'");
my ($created2, $updated2) = split /\t/, (sql("SELECT created_at, updated_at FROM orocrm_contact WHERE last_name = 'Survivor'"))[0];
is($created2, $created, 'an update keeps createdAt');
ok($updated2 gt $updated, "an update moves updatedAt ($updated -> $updated2)");

edit_contact(sub { $_[0]{fields}{nickname} = {type => 'string', length => 100} });
($rc, $out, $err) = run_cmd(@ctl, 'schema:update', '--dry-run');
like($out, qr/ALTER TABLE .orocrm_contact. ADD COLUMN .nickname. varchar\(100\)/, '--dry-run shows the new column');
($rc, $out, $err) = run_cmd(@ctl, 'schema:update');
is($rc, 0, 'schema:update adds the new field') or diag $err;
like($out, qr/add column orocrm_contact\.nickname/, 'and says so');
my ($after) = sql("SELECT COUNT(*) FROM orocrm_contact");
is($after, $before, 'no row lost');
my @survivor = sql("SELECT first_name, last_name FROM orocrm_contact WHERE last_name = 'Survivor'");
is(scalar @survivor, 1, 'existing rows intact');
my @col = sql($db eq 'mysql'
    ? "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'orocrm_contact' AND column_name = 'nickname'"
    : "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'orocrm_contact' AND column_name = 'nickname'");
is_deeply(\@col, [100], 'the column has the declared length');

# required without default on a table with rows: refused with the way out
edit_contact(sub { $_[0]{fields}{rank} = {type => 'integer', required => JSON::PP::true} });
($rc, $out, $err) = run_cmd(@ctl, 'schema:update');
is($rc, 1, 'a required field without default is refused on a table with rows');
like($err, qr/contacts\.rank is required but has no default/, 'with the reason');
like($err, qr/no entity table was changed/, 'and nothing changed');
edit_contact(sub { $_[0]{fields}{rank}{default} = 3 });
($rc, $out, $err) = run_cmd(@ctl, 'schema:update');
is($rc, 0, 'with a default it is added') or diag $err;
my ($rank) = sql("SELECT MIN(rank) FROM orocrm_contact");
is($rank, 3, 'existing rows get the default');

# destructive: narrowing and dropping are refused, then forced
edit_contact(sub { delete $_[0]{fields}{nickname}; $_[0]{fields}{jobTitle}{length} = 10 });
($rc, $out, $err) = run_cmd(@ctl, 'schema:update');
is($rc, 1, 'destructive changes are refused');
like($err, qr/orocrm_contact\.nickname is not in the definition of contacts.*--force/, 'dropping a column is explained');
like($err, qr/changing orocrm_contact\.job_title .* to varchar\(10\) may lose data/, 'narrowing is explained');
@col = sql("SELECT COUNT(*) FROM orocrm_contact WHERE nickname IS NULL");
ok(@col, 'the column is still there');

# a broken definition: every program refuses it with the precise error
edit_contact(sub { $_[0]{fields}{primaryEmail}{type} = 'emial' });
($rc, $out, $err) = run_cmd(@ctl, 'schema:update');
is($rc, 3, 'oroctl refuses a broken definition');
like($err, qr{contact\.json: fields\.primaryEmail\.type: unknown type "emial"}, 'naming file, path and reason');
($rc, $out, $err) = run_cmd(out_dir() . '/oro-consumer', '--config', "$tmp/test.conf", '--foreground');
is($rc, 3, 'oro-consumer refuses it');
like($err, qr{fields\.primaryEmail\.type: unknown type "emial"}, 'with the same message');
my $port = ($ENV{ORO_HTTP_PORT} || 8080) + 700;
my $conf = slurp(config_path());
$conf =~ s/^Listen .*$/Listen 127.0.0.1:$port/m;
$conf =~ s/^PidFile .*$/PidFile $tmp\/httpd.pid/m;
$conf =~ s/^ErrorLog .*$/ErrorLog $tmp\/error.log/m;
open $fh, '>', "$tmp/httpd.conf" or die;
print $fh "$conf\nOroEntityConfig $tmp/entities\n";
close $fh;
($rc, $out, $err) = apache('-f', "$tmp/httpd.conf", '-k', 'start');
my $log = slurp("$tmp/error.log");
if ($rc == 0) { apache('-f', "$tmp/httpd.conf", '-k', 'stop') }
isnt($rc, 0, 'httpd refuses to start with it');
like("$out$err$log", qr{fields\.primaryEmail\.type: unknown type "emial"}, 'and logs the precise error');

# back to the real definitions: --force drops the test columns again
($rc, $out, $err) = oroctl('schema:update', '--force');
is($rc, 0, '--force applies the destructive changes') or diag $err;
like($out, qr/drop column orocrm_contact\.nickname/, 'dropping the test column');
($rc, $out) = oroctl('schema:update');
like($out, qr/0 entity change\(s\)/, 'the schema matches the real definitions again');
sql("DELETE FROM orocrm_contact WHERE last_name = 'Survivor'");
if ($own_rows) {
    sql("DELETE FROM oro_user WHERE username = 'schema-test'");
    sql("DELETE FROM oro_business_unit WHERE name = 'Schema Test Unit'");
    sql("DELETE FROM oro_organization WHERE name = 'Schema Test Org'");
}

done_testing;
