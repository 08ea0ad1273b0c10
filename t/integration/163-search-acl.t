# Search obeys the ACL (issue 7, "Done when"; docs/security.md "Access control"): a caller
# without VIEW on accounts never sees an account in /api/search, /api/search/advanced or
# /api/searchentities; a caller with USER level sees only its own records; the
# administrator sees everything. The records go through the API, the queue and the indexer.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;
use OroTest qw(call create ident api_user);

my $tag = 'zq' . join('', map { ('a' .. 'z')[rand 26] } 1 .. 8);

# call(WHO, METHOD, PATH, BODY): WHO is undef (admin) or a user {name, key}
# the "entity-id" of each hit of a simple search for the tag, sorted
sub hits {
    my ($who, $extra) = @_;
    my ($res, $doc) = call($who, GET => "/api/search?filter%5BsearchText%5D=$tag&page%5Bsize%5D=50" . ($extra // ''));
    return "status $res->{status}" if $res->{status} != 200;
    return join ',', sort map { $_->{id} } @{ $doc->{data} };
}

# ---- two roles: contacts but no accounts; only one's own contacts and accounts
sub make_role {
    my ($name, $permissions) = @_;
    my $id = create(roles => {role => $name, label => $name});
    my ($res) = call(undef, PATCH => "/api/roles/$id/permissions",
        {data => {type => 'rolepermissions', id => "$id", attributes => {permissions => $permissions}}});
    is($res->{status}, 200, "role $name") or diag $res->{content};
    return $id;
}
my %role = (noaccounts => make_role("ROLE_S_NOACC_$tag", {contacts => {VIEW => 'GLOBAL'}, accounts => {VIEW => 'NONE'}}),
            own => make_role("ROLE_S_OWN_$tag", {contacts => {VIEW => 'USER'}, accounts => {VIEW => 'USER'}}));
my %user;
for my $k (qw(noaccounts own)) {
    $user{$k} = api_user("s_${k}_$tag", "ROLE_S_" . ($k eq 'own' ? 'OWN' : 'NOACC') . "_$tag", 1);
}

# ---- records: an account and a contact of the USER-level caller, the same of the admin
my $org = ident(organizations => 1);
my %id;
for my $owner (['mine', $user{own}{id}], ['admins', 1]) {
    my ($k, $uid) = @$owner;
    $id{"account_$k"} = create(accounts => {name => "$tag $k account"}, {owner => ident(users => $uid), organization => $org});
    $id{"contact_$k"} = create(contacts => {firstName => $tag, lastName => "$k contact"},
        {owner => ident(users => $uid), organization => $org});
}
my $everything = join ',', sort map { /^(account|contact)_/ ? "$1s-$id{$_}" : () } keys %id;
is(wait_until(30, sub { my $h = hits(undef); $h eq $everything ? $h : '' }), $everything,
   'the administrator finds all four records (through the queue and the indexer)');

# ---- no VIEW on accounts: never an account
my $contacts = join ',', sort "contacts-$id{contact_mine}", "contacts-$id{contact_admins}";
is(hits($user{noaccounts}), $contacts, 'without VIEW on accounts: only the contacts');
is(hits($user{noaccounts}, '&filter%5Bentities%5D=accounts'), '', '… none when asking for accounts alone');
my ($res, $doc) = call($user{noaccounts}, GET => "/api/search/advanced?query=" .
    "from%20accounts%20where%20all_text%20~%20$tag");
is($res->{status}, 200, 'advanced search from accounts answers');
is(scalar @{ $doc->{data} || [] }, 0, '… with no account');
($res, $doc) = call($user{noaccounts}, GET => "/api/search/advanced?query=where%20all_text%20~%20$tag");
is(join(',', sort map { $_->{id} } @{ $doc->{data} || [] }), $contacts, 'advanced search over all types: only contacts');
($res, $doc) = call($user{noaccounts}, GET => '/api/searchentities');
my %types = map { $_->{id} => 1 } @{ $doc->{data} || [] };
ok($types{contacts} && !$types{accounts}, 'searchentities lists contacts, not accounts');

# ---- USER level: only one's own records
my $own = join ',', sort "accounts-$id{account_mine}", "contacts-$id{contact_mine}";
is(hits($user{own}), $own, 'USER level: only its own account and contact');

# ---- a grant changed through the API applies to search at once
call(undef, PATCH => "/api/roles/$role{own}/permissions",
    {data => {type => 'rolepermissions', id => "$role{own}", attributes => {permissions => {accounts => {VIEW => 'NONE'}}}}});
is(hits($user{own}), "contacts-$id{contact_mine}", 'after accounts are taken away: only its contact');

# ---- cleanup
for my $k (sort keys %id) {
    my ($type) = $k =~ /^(account|contact)/;
    call(undef, DELETE => "/api/${type}s/$id{$k}");
}
my $users = join ',', map { $_->{id} } values %user;
my $roles = join ',', values %role;
sql("DELETE FROM oro_acl_grant WHERE role LIKE 'ROLE_S_%_$tag'");
sql("DELETE FROM oro_user_access_role WHERE user_id IN ($users) OR role_id IN ($roles)");
sql("DELETE FROM oro_user_organization WHERE user_id IN ($users)");
sql("DELETE FROM oro_user_api_key WHERE user_id IN ($users)");
sql("DELETE FROM oro_user WHERE id IN ($users)");
sql("DELETE FROM oro_access_role WHERE id IN ($roles)");
sql("UPDATE oro_acl_version SET version = version + 1 WHERE id = 1");
done_testing();
