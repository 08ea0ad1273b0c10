# A JSON:API client library from npm (kitsu, pinned by t/client/package-lock.json), used
# as its README shows with the base URL and authentication headers set (WSSE as admin), lists with filter, include and page
# size, creates, reads, updates and deletes a contact against /api without any special
# handling (t/client/contacts.mjs). The same assertions hold on PostgreSQL and MariaDB.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my $root = root_dir();
my @steps = qw(list create read update delete gone);

my ($rc, $out, $err) = run_cmd('sh', '-c', 'command -v node && command -v npm');
if ($rc != 0) {
    fail('node and npm are installed');
    diag('node or npm is missing: build/web-deps (make web-deps, run by make test) '
       . "apt-installs Debian's npm, which depends on nodejs");
    done_testing();
    exit;
}

($rc, $out, $err) = run_cmd("$root/t/client/install");
is($rc, 0, 't/client/install') or diag("$out$err");

my ($owner, $org) = split /\t/, (sql("SELECT owner_id, organization_id FROM orocrm_contact WHERE id = 1"))[0];
# A last name with more than one page of 5, where the first page (by id) has an account.
my ($last_name, @first_page);
for my $name (sql("SELECT last_name FROM orocrm_contact GROUP BY last_name HAVING COUNT(*) > 5 ORDER BY last_name")) {
    next if $name =~ /['\\]/;
    my @rows = sql("SELECT id, CASE WHEN account_id IS NULL THEN 0 ELSE 1 END FROM orocrm_contact "
                 . "WHERE last_name = '$name' ORDER BY id LIMIT 5");
    next unless grep { (split /\t/, $_)[1] } @rows;
    ($last_name, @first_page) = ($name, map { (split /\t/, $_)[0] } @rows);
    last;
}
ok($owner && $org && defined $last_name, 'an owner, an organization and a last name to filter on');

{
    local $ENV{API_BASE} = base_url() . '/api';
    local $ENV{API_USER} = 'admin';
    local $ENV{API_KEY} = admin_apikey();
    local $ENV{OWNER_ID} = $owner;
    local $ENV{ORG_ID} = $org;
    local $ENV{LAST_NAME} = $last_name;
    ($rc, $out, $err) = run_cmd('node', "$root/t/client/contacts.mjs");
}
my %result;
for my $line (split /\n/, $out) {
    my $r = eval { decode_json($line) };
    if (ref $r eq 'HASH' && defined $r->{step}) { $result{$r->{step}} = $r }
    else { diag("unexpected output: $line") }
}
my $json = JSON::PP->new->canonical;
for my $step (@steps) {
    my $r = $result{$step};
    my $detail = $r ? $json->encode($r->{detail}) : 'no line for this step';
    ok($r && $r->{ok}, "kitsu: $step") or diag($detail);
    note("$step: $detail");
}
is_deeply($result{list} && $result{list}{detail}{ids}, \@first_page, 'the listed page is the first 5 by id');
is($rc, 0, 'contacts.mjs exits 0') or diag($err);

my $id = $result{create} && $result{create}{detail}{id};
if (defined $id && $id =~ /^\d+$/) {
    is((sql("SELECT COUNT(*) FROM orocrm_contact WHERE id = $id"))[0], 0, 'the created contact is gone');
} else {
    fail('the created contact is gone: no id was created');
}

done_testing();
