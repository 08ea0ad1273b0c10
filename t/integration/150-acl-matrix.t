# The ACL matrix (docs/security.md "Access control"): for each access level, a caller whose
# role grants that level on every permission sees and changes exactly the records it should,
# for user-owned (contacts), business-unit-owned (users), organization-owned (products) and
# unowned (roles) types: list, read, include, related records, relationship linkage, create,
# update, assign, delete and bulk delete; plus the 403/404 split, admin-only types, the role
# permissions API and the invalidation of cached grants.
#
# Data are made once: two organizations (A with the unit tree A0 ─ A1 ─ A2 and A0 ─ A3, B
# with B0), one role per level, one caller per level in A1, an owner user in each unit, and
# a contact owned by each owner and each caller. Expected answers are computed from the
# same rules in Perl (reach()).
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;
use OroTest qw(call create ident api_user);

my $tag = sprintf('%x%x', $$, time % 100000);

sub ids_of { my ($doc) = @_; return join ',', sort { $a <=> $b } map { $_->{id} } @{ $doc->{data} || [] } }
sub set { return join ',', sort { $a <=> $b } @_ }

# ---- organizations, units, roles, users
my $orgA = create(organizations => {name => "ACL A $tag"});
my $orgB = create(organizations => {name => "ACL B $tag"});
my %unit;
$unit{A0} = create(businessunits => {name => "A0 $tag"}, {organization => ident(organizations => $orgA)});
$unit{A1} = create(businessunits => {name => "A1 $tag"},
    {organization => ident(organizations => $orgA), parentBusinessUnit => ident(businessunits => $unit{A0})});
$unit{A2} = create(businessunits => {name => "A2 $tag"},
    {organization => ident(organizations => $orgA), parentBusinessUnit => ident(businessunits => $unit{A1})});
$unit{A3} = create(businessunits => {name => "A3 $tag"},
    {organization => ident(organizations => $orgA), parentBusinessUnit => ident(businessunits => $unit{A0})});
$unit{B0} = create(businessunits => {name => "B0 $tag"}, {organization => ident(organizations => $orgB)});

my @LEVELS = qw(NONE USER BUSINESS_UNIT DIVISION ORGANIZATION GLOBAL);
my @PERMISSIONS = qw(VIEW CREATE EDIT DELETE ASSIGN);
my %role;
sub make_role {
    my ($name, %levels) = @_;
    my $id = create(roles => {role => $name, label => $name});
    my ($res, $doc) = call(undef, PATCH => "/api/roles/$id/permissions",
        {data => {type => 'rolepermissions', id => "$id", attributes => {permissions => {'*' => \%levels}}}});
    is($res->{status}, 200, "role $name: permissions set") or diag $res->{content};
    return $id;
}
for my $level (@LEVELS) {
    $role{$level} = make_role("ROLE_ACL_${level}_$tag", map { $_ => $level } @PERMISSIONS);
}
$role{viewer} = make_role("ROLE_ACL_VIEWER_$tag", VIEW => 'GLOBAL', CREATE => 'USER', EDIT => 'USER',
                          DELETE => 'USER', ASSIGN => 'NONE');

my (%user, %org_of, %unit_of);
sub make_user {
    my ($key, $unit, $org, $role_name) = @_;
    $user{$key} = api_user(lc "acl_${key}_$tag", $role_name, $org, $unit{$unit});
    $org_of{$key} = $org;
    $unit_of{$key} = $unit;
}
my %role_name = map { $_ => "ROLE_ACL_${_}_$tag" } @LEVELS;
make_user("act_$_", 'A1', $orgA, $role_name{$_}) for @LEVELS;
make_user('viewer', 'A1', $orgA, "ROLE_ACL_VIEWER_$tag");
make_user("own_$_", $_, $_ eq 'B0' ? $orgB : $orgA, 'ROLE_USER') for qw(A0 A1 A2 A3 B0);
my @OWNERS = ((map { "own_$_" } qw(A0 A1 A2 A3 B0)), (map { "act_$_" } @LEVELS));

# ---- records (as admin): an account of own_A1 holding a contact of every owner
my $account = create(accounts => {name => "ACL account $tag"},
    {owner => ident(users => $user{own_A1}{id}), organization => ident(organizations => $orgA)});
my %contact; # owner key -> contact id
for my $o (@OWNERS) {
    $contact{$o} = create(contacts => {firstName => 'Acl', lastName => "$tag $o"},
        {owner => ident(users => $user{$o}{id}), organization => ident(organizations => $org_of{$o}),
         account => ident(accounts => $account)});
}
my %product = (A => create(products => {sku => "ACL-A-$tag", name => "acl a $tag", price => '1.00'},
                              {organization => ident(organizations => $orgA)}),
               B => create(products => {sku => "ACL-B-$tag", name => "acl b $tag", price => '1.00'},
                              {organization => ident(organizations => $orgB)}));
my $contact_ids = join ',', values %contact;
my $user_ids = join ',', map { $user{$_}{id} } @OWNERS;

# reach(LEVEL, ACTOR, OWNER): whether a user-owned record of OWNER is within LEVEL for ACTOR
sub rank { my ($l) = @_; my %r; @r{@LEVELS} = 0 .. $#LEVELS; return $r{$l} }
sub reach {
    my ($level, $actor, $owner) = @_;
    return 0 if $level eq 'NONE';
    return 1 if $level eq 'GLOBAL';
    return 0 if $org_of{$owner} ne $org_of{$actor};
    return 1 if $level eq 'ORGANIZATION';
    return $owner eq $actor ? 1 : 0 if $level eq 'USER';
    my @units = $level eq 'BUSINESS_UNIT' ? ('A1') : ('A1', 'A2');
    return (grep { $_ eq $unit_of{$owner} } @units) ? 1 : 0;
}
# the same for a business-unit-owned record (a user) in unit of OWNER: USER reads as BUSINESS_UNIT
sub reach_unit {
    my ($level, $actor, $owner) = @_;
    return reach($level eq 'USER' ? 'BUSINESS_UNIT' : $level, $actor, $owner);
}
# organization-owned: anything below ORGANIZATION is ORGANIZATION
sub reach_org {
    my ($level, $org) = @_;
    return $level eq 'NONE' ? 0 : $level eq 'GLOBAL' ? 1 : $org eq 'A' ? 1 : 0;
}

for my $level (@LEVELS) {
    my $actor = "act_$level";
    my $who = $user{$actor};
    my @visible = grep { reach($level, $actor, $_) } @OWNERS;
    my $expected = set(map { $contact{$_} } @visible);

    # -- VIEW: list, read, related, linkage, include
    my ($res, $doc) = call($who, GET => "/api/contacts?filter[id]=$contact_ids&page[size]=100");
    is($res->{status}, 200, "$level: list answers");
    is(ids_of($doc), $expected, "$level: the list holds exactly the reachable contacts");
    ($res) = call($who, GET => "/api/contacts?filter[id]=$contact_ids", undef, {'X-Include' => 'totalCount'});
    is($res->{headers}{'x-include-total-count'}, scalar(@visible), "$level: totalCount counts only them");
    my @reads = map { [$_, (call($who, GET => "/api/contacts/$contact{$_}"))[0]{status}] } @OWNERS;
    is_deeply([map { "$_->[0]:$_->[1]" } @reads],
              [map { "$_->[0]:" . (reach($level, $actor, $_->[0]) ? 200 : 404) } @reads],
              "$level: a contact reads 200 within reach, 404 outside");
    my $account_visible = reach($level, $actor, 'own_A1');
    ($res, $doc) = call($who, GET => "/api/accounts/$account?include=contacts");
    if ($account_visible) {
        is(set(map { $_->{id} } grep { $_->{type} eq 'contacts' } @{ $doc->{included} || [] }), $expected,
           "$level: include=contacts holds only reachable contacts");
        is(set(map { $_->{id} } @{ $doc->{data}{relationships}{contacts}{data} || [] }), $expected,
           "$level: the included linkage too");
        ($res, $doc) = call($who, GET => "/api/accounts/$account/relationships/contacts");
        is(ids_of($doc), $expected, "$level: relationship linkage holds only reachable contacts");
        ($res, $doc) = call($who, GET => "/api/accounts/$account/contacts?page[size]=100");
        is(ids_of($doc), $expected, "$level: related records are only the reachable ones");
    }
    else {
        is($res->{status}, 404, "$level: the account out of reach is 404");
        ($res) = call($who, GET => "/api/accounts/$account/relationships/contacts");
        is($res->{status}, 404, "$level: so is its linkage");
        ($res) = call($who, GET => "/api/accounts/$account/contacts");
        is($res->{status}, 404, "$level: and its related records");
    }
    # include of another type (users, business-unit-owned) through the contacts' owner
    ($res, $doc) = call($who, GET => "/api/contacts?filter[id]=$contact_ids&include=owner&page[size]=100");
    my @owner_users = grep { reach_unit($level, $actor, $_) } @visible;
    is(set(map { $_->{id} } grep { $_->{type} eq 'users' } @{ $doc->{included} || [] }),
       set(map { $user{$_}{id} } @owner_users), "$level: included owners are only the reachable users");
    ($res, $doc) = call($who, GET => "/api/users?filter[id]=$user_ids&page[size]=100");
    is(ids_of($doc), set(map { $user{$_}{id} } grep { reach_unit($level, $actor, $_) } @OWNERS),
       "$level: users (business-unit-owned) listed within reach");
    ($res, $doc) = call($who, GET => "/api/products?filter[id]=$product{A},$product{B}");
    is(ids_of($doc), set(map { $product{$_} } grep { reach_org($level, $_) } qw(A B)),
       "$level: products (organization-owned) listed within reach");
    ($res) = call($who, GET => "/api/roles/$role{GLOBAL}");
    is($res->{status}, $level eq 'NONE' ? 404 : 200, "$level: roles (unowned) are all or nothing");
    ($res, $doc) = call($who, GET => '/api/metadata');
    my ($meta) = grep { $_->{id} eq 'contacts' } @{ $doc->{data} || [] };
    if ($level eq 'NONE') {
        ok(!$meta, 'NONE: metadata does not list contacts');
    }
    else {
        is_deeply($meta->{attributes}{permissions}, {map { $_ => $level } @PERMISSIONS},
                  "$level: metadata shows the caller's levels on contacts");
    }

    # -- EDIT: every contact; those out of reach are 404 (not visible either)
    my @edits = map { [$_, (call($who, PATCH => "/api/contacts/$contact{$_}",
        {data => {type => 'contacts', id => "$contact{$_}", attributes => {description => "by $level"}}}))[0]{status}] } @OWNERS;
    is_deeply([map { "$_->[0]:$_->[1]" } @edits],
              [map { "$_->[0]:" . (reach($level, $actor, $_->[0]) ? 200 : 404) } @edits],
              "$level: PATCH is 200 within reach, 404 outside");
    is(set(sql("SELECT id FROM orocrm_contact WHERE id IN ($contact_ids) AND description = 'by $level'")),
       $expected, "$level: exactly the reachable contacts changed");

    # -- CREATE: by default owned by the caller; owned by another only within reach
    ($res, $doc) = call($who, POST => '/api/contacts',
        {data => {type => 'contacts', attributes => {firstName => 'New', lastName => "$tag new $level"}}});
    if ($level eq 'NONE') {
        is($res->{status}, 403, 'NONE: create is 403');
    }
    else {
        is($res->{status}, 201, "$level: create is 201") or diag $res->{content};
        is($doc->{data}{relationships}{owner}{data}{id}, $user{$actor}{id}, "$level: owner defaults to the caller");
        is($doc->{data}{relationships}{organization}{data}{id}, $orgA, "$level: organization to the caller's");
    }
    for my $other (qw(own_A2 own_A3 own_B0)) {
        ($res) = call($who, POST => '/api/contacts',
            {data => {type => 'contacts', attributes => {firstName => 'New', lastName => "$tag new $level $other"},
                      relationships => {owner => ident(users => $user{$other}{id}),
                                        organization => ident(organizations => $org_of{$other})}}});
        is($res->{status}, reach($level, $actor, $other) ? 201 : 403,
           "$level: create owned by $other is " . (reach($level, $actor, $other) ? 'allowed' : 'refused'));
    }
    my @stray = sql("SELECT id FROM orocrm_contact WHERE last_name = '$tag new $level own_A3' AND owner_id <> $user{own_A3}{id}");
    is(scalar @stray, 0, "$level: a refused create stored nothing");

    # -- ASSIGN: the caller's own contact to own_A2 (through PATCH and the relationship)
    my $mine = $contact{$actor};
    my $assign = reach($level, $actor, $actor) && reach($level, $actor, 'own_A2');
    ($res) = call($who, PATCH => "/api/contacts/$mine",
        {data => {type => 'contacts', id => "$mine", relationships => {owner => ident(users => $user{own_A2}{id})}}});
    is($res->{status}, $assign ? 200 : $level eq 'NONE' ? 404 : 403, "$level: reassigning to own_A2");
    sql("UPDATE orocrm_contact SET owner_id = $user{$actor}{id} WHERE id = $mine");
    ($res) = call($who, PATCH => "/api/contacts/$mine/relationships/owner", ident(users => $user{own_A2}{id}));
    is($res->{status}, $assign ? 204 : $level eq 'NONE' ? 404 : 403, "$level: the same through relationships/owner");
    sql("UPDATE orocrm_contact SET owner_id = $user{$actor}{id} WHERE id = $mine");

    # -- DELETE: bulk delete of one throwaway contact per owner removes exactly the reachable
    my %throwaway = map { $_ => create(contacts => {firstName => 'Del', lastName => "$tag del $level $_"},
        {owner => ident(users => $user{$_}{id}), organization => ident(organizations => $org_of{$_})}) } @OWNERS;
    my $throwaway_ids = join ',', values %throwaway;
    ($res) = call($who, DELETE => "/api/contacts?filter[id]=$throwaway_ids", undef, {'X-Include' => 'deletedCount'});
    is($res->{status}, 204, "$level: bulk delete answers 204");
    is($res->{headers}{'x-include-deleted-count'}, scalar(@visible), "$level: deletedCount counts the reachable");
    is(set(sql("SELECT id FROM orocrm_contact WHERE id IN ($throwaway_ids)")),
       set(map { $throwaway{$_} } grep { !reach($level, $actor, $_) } @OWNERS),
       "$level: bulk delete removed exactly the reachable contacts");
    # single delete of one left over (out of reach): 404 (not visible)
    my ($left) = grep { !reach($level, $actor, $_) } @OWNERS;
    if ($left) {
        ($res) = call($who, DELETE => "/api/contacts/$throwaway{$left}");
        is($res->{status}, 404, "$level: deleting a contact out of reach is 404");
    }
    sql("DELETE FROM orocrm_contact WHERE id IN ($throwaway_ids) OR last_name LIKE '$tag new %'");
}

# ---- viewer: sees everything, changes its own only: 403 where it sees but may not change
{
    my $who = $user{viewer};
    my ($res) = call($who, GET => "/api/contacts/$contact{own_A1}");
    is($res->{status}, 200, 'viewer: reads a contact of its unit');
    ($res) = call($who, PATCH => "/api/contacts/$contact{own_B0}",
        {data => {type => 'contacts', id => "$contact{own_B0}", attributes => {description => 'viewer'}}});
    is($res->{status}, 403, 'viewer: PATCH of a visible contact it may not edit is 403');
    ($res) = call($who, DELETE => "/api/contacts/$contact{own_A1}");
    is($res->{status}, 403, 'viewer: DELETE likewise 403');
    ($res) = call($who, PATCH => "/api/accounts/$account/relationships/contacts", {data => []});
    is($res->{status}, 403, 'viewer: a relationship change of a record it may not edit is 403');
    is(scalar(sql("SELECT id FROM orocrm_contact WHERE account_id = $account")), scalar(@OWNERS),
       'viewer: nothing changed');
    # no ASSIGN: naming its own contact's current owner is fine, another owner is not
    my ($r1, $d1) = call($who, POST => '/api/contacts',
        {data => {type => 'contacts', attributes => {firstName => 'V', lastName => "$tag viewer"}}});
    is($r1->{status}, 201, 'viewer: creates a contact of its own');
    my $vc = $d1->{data}{id};
    ($res) = call($who, PATCH => "/api/contacts/$vc", {data => {type => 'contacts', id => "$vc",
        relationships => {owner => ident(users => $user{viewer}{id}), organization => ident(organizations => $orgA)}}});
    is($res->{status}, 200, 'viewer: a PATCH naming the current owner needs no ASSIGN');
    ($res) = call($who, PATCH => "/api/contacts/$vc", {data => {type => 'contacts', id => "$vc",
        relationships => {owner => ident(users => $user{own_A1}{id})}}});
    is($res->{status}, 403, 'viewer: without ASSIGN another owner is 403');
    sql("DELETE FROM orocrm_contact WHERE id = $vc");
    # its own account may take members only among the contacts it may edit
    my ($r2, $d2) = call($who, POST => '/api/accounts',
        {data => {type => 'accounts', attributes => {name => "viewer account $tag"}}});
    is($r2->{status}, 201, 'viewer: creates an account of its own');
    my $mine = $d2->{data}{id};
    ($res, my $doc) = call($who, POST => "/api/accounts/$mine/relationships/contacts",
        {data => [{type => 'contacts', id => "$contact{own_B0}"}]});
    is($res->{status}, 403, 'viewer: adding a contact it may see but not edit to its account: 403');
    like($doc->{errors}[0]{detail} // '', qr/you may not change contacts/, 'viewer: saying why');
    is_deeply([map { $_->{source}{pointer} } @{ $doc->{errors} || [] }], ['/data/0'], 'viewer: the refused one is named');
    is(scalar(sql("SELECT id FROM orocrm_contact WHERE account_id = $mine")), 0, 'viewer: nothing moved');
    # members a replacement removes are changed too: EDIT on each of them
    my ($r3, $d3) = call($who, POST => '/api/contacts',
        {data => {type => 'contacts', attributes => {firstName => 'V2', lastName => "$tag viewer"},
                  relationships => {account => ident(accounts => $mine)}}});
    is($r3->{status}, 201, 'viewer: a contact of its own in its account');
    my $vc2 = $d3->{data}{id};
    sql("UPDATE orocrm_contact SET account_id = $mine WHERE id = $contact{own_B0}");
    ($res) = call($who, PATCH => "/api/accounts/$mine/relationships/contacts", {data => []});
    is($res->{status}, 403, 'viewer: emptying its account of a contact it may not edit is 403');
    is(set(sql("SELECT id FROM orocrm_contact WHERE account_id = $mine")), set($contact{own_B0}, $vc2),
       'viewer: nothing changed');
    ($res, $doc) = call($who, PATCH => "/api/accounts/$mine",
        {data => {type => 'accounts', id => "$mine", relationships => {contacts => {data => []}}}});
    is($res->{status}, 403, 'viewer: the same through a PATCH of the account is 403');
    is($doc->{errors}[0]{source}{pointer}, '/data/relationships/contacts/data', 'viewer: pointing at the set');
    is(set(sql("SELECT id FROM orocrm_contact WHERE account_id = $mine")), set($contact{own_B0}, $vc2),
       'viewer: nothing changed either');
    sql("UPDATE orocrm_contact SET account_id = $account WHERE id = $contact{own_B0}");
    ($res) = call($who, PATCH => "/api/accounts/$mine/relationships/contacts", {data => []});
    is($res->{status}, 204, 'viewer: emptying it of its own contact is fine') or diag $res->{content};
    is(scalar(sql("SELECT id FROM orocrm_contact WHERE account_id = $mine")), 0, 'viewer: its contact left');
    sql("DELETE FROM orocrm_contact WHERE id = $vc2");
    sql("DELETE FROM orocrm_account WHERE id = $mine");
}

# ---- a relation may name only records the caller may view
{
    my $who = $user{act_USER};
    my $mine = $contact{act_USER};
    my ($res, $doc) = call($who, PATCH => "/api/contacts/$mine",
        {data => {type => 'contacts', id => "$mine", relationships => {account => ident(accounts => $account)}}});
    is($res->{status}, 400, 'USER: linking its contact to an account it may not view is 400');
    is($doc->{errors}[0]{detail}, "accounts \"$account\" does not exist", 'USER: as if it did not exist');
    ($res) = call($user{act_BUSINESS_UNIT}, PATCH => "/api/contacts/$contact{act_BUSINESS_UNIT}",
        {data => {type => 'contacts', id => "$contact{act_BUSINESS_UNIT}", relationships => {account => ident(accounts => $account)}}});
    is($res->{status}, 200, 'BUSINESS_UNIT: the account of its unit may be linked');
}

# ---- administrators only: security types and permissions, even for a GLOBAL caller
{
    my $who = $user{act_GLOBAL};
    my ($res) = call($who, POST => '/api/businessunits',
        {data => {type => 'businessunits', attributes => {name => "x $tag"}}});
    is($res->{status}, 403, 'GLOBAL non-admin: creating a business unit is 403');
    ($res) = call($who, PATCH => "/api/users/$user{own_A1}{id}",
        {data => {type => 'users', id => "$user{own_A1}{id}", attributes => {title => 'x'}}});
    is($res->{status}, 403, 'GLOBAL non-admin: changing a user is 403');
    ($res) = call($who, POST => "/api/users/$user{act_GLOBAL}{id}/relationships/roles",
        {data => [{type => 'roles', id => "$role{viewer}"}]});
    is($res->{status}, 403, 'GLOBAL non-admin: granting itself a role is 403');
    ($res) = call($who, GET => "/api/roles/$role{GLOBAL}/permissions");
    is($res->{status}, 403, 'GLOBAL non-admin: reading permissions is 403');
    ($res) = call($who, PATCH => "/api/roles/$role{GLOBAL}/permissions",
        {data => {type => 'rolepermissions', attributes => {permissions => {'*' => {VIEW => 'GLOBAL'}}}}});
    is($res->{status}, 403, 'GLOBAL non-admin: changing permissions is 403');
}

# ---- the permissions API: validation, and a change applies to cached callers
{
    my $id = $role{USER};
    my ($res, $doc) = call(undef, PATCH => "/api/roles/$id/permissions",
        {data => {type => 'rolepermissions', id => "$id", attributes => {permissions => {
            products => {VIEW => 'USER'}, nosuch => {VIEW => 'GLOBAL'}, contacts => {SHARE => 'GLOBAL', EDIT => 'SYSTEM'},
            roles => {ASSIGN => 'GLOBAL'}}}}});
    is($res->{status}, 400, 'permissions: invalid entries are 400');
    is_deeply([sort map { $_->{source}{pointer} } @{ $doc->{errors} }],
              [sort map { "/data/attributes/permissions/$_" } qw(products/VIEW nosuch contacts/SHARE contacts/EDIT roles/ASSIGN)],
              'permissions: each one pointed at') or diag explain $doc;
    ($res, $doc) = call(undef, GET => "/api/roles/$id/permissions");
    is_deeply($doc->{data}{attributes}{permissions}, {'*' => {map { $_ => 'USER' } @PERMISSIONS}},
              'permissions: nothing was changed');
    for my $bad (['{"data": ', 'not JSON'], ['[]', 'not an object'],
                 [{data => {type => 'roles', attributes => {permissions => {}}}}, 'a wrong type'],
                 [{data => {type => 'rolepermissions', id => '1', attributes => {permissions => {}}}}, 'another id'],
                 [{data => {type => 'rolepermissions', attributes => {permissions => []}}}, 'permissions not an object'],
                 [{data => {type => 'rolepermissions', attributes => {permissions => {contacts => 'GLOBAL'}}}}, 'levels not an object'],
                 [{data => {type => 'rolepermissions', attributes => {permissions => {contacts => {VIEW => 5}}}}}, 'a level not a string']) {
        ($res, $doc) = call(undef, PATCH => "/api/roles/$id/permissions", $bad->[0]);
        is($res->{status}, 400, "permissions: $bad->[1] is 400");
        ok($doc && $doc->{errors}, "permissions: $bad->[1] has an error document");
    }
    ($res) = call(undef, POST => "/api/roles/$id/permissions", {});
    is($res->{status}, 405, 'permissions: POST is 405');
    ($res) = call(undef, PATCH => "/api/roles/999999999/permissions",
        {data => {type => 'rolepermissions', attributes => {permissions => {}}}});
    is($res->{status}, 404, 'permissions of a missing role: 404');

    # USER-level caller (cached by now) gets contacts at GLOBAL, then loses the grant again
    ($res, $doc) = call(undef, PATCH => "/api/roles/$id/permissions",
        {data => {type => 'rolepermissions', id => "$id", attributes => {permissions => {contacts => {VIEW => 'GLOBAL'}}}}});
    is($doc->{data}{attributes}{permissions}{contacts}{VIEW}, 'GLOBAL', 'permissions: an entity grant is set');
    my $all = set(values %contact);
    # on one host the change applies to the very next request, whichever process serves it
    for my $try (1 .. 4) {
        my (undef, $d) = call($user{act_USER}, GET => "/api/contacts?filter[id]=$contact_ids&page[size]=100");
        is(ids_of($d), $all, "a granted level reaches a cached caller at once ($try)");
    }
    ($res, $doc) = call(undef, PATCH => "/api/roles/$id/permissions",
        {data => {type => 'rolepermissions', id => "$id", attributes => {permissions => {contacts => {VIEW => undef}}}}});
    ok(!exists $doc->{data}{attributes}{permissions}{contacts}, 'permissions: null removes the grant');
    my $own = set($contact{act_USER});
    for my $try (1 .. 4) {
        my (undef, $d) = call($user{act_USER}, GET => "/api/contacts?filter[id]=$contact_ids&page[size]=100");
        is(ids_of($d), $own, "a removed grant stops applying at once ($try)");
    }
    # a caller's roles changed through the API apply at once too
    ($res) = call(undef, POST => "/api/users/$user{act_USER}{id}/relationships/roles",
        {data => [{type => 'roles', id => "$role{GLOBAL}"}]});
    is($res->{status}, 204, 'a role given to a cached caller');
    (undef, $doc) = call($user{act_USER}, GET => "/api/contacts?filter[id]=$contact_ids&page[size]=100");
    is(ids_of($doc), $all, 'the new role applies to its next request');
    call(undef, DELETE => "/api/users/$user{act_USER}{id}/relationships/roles",
        {data => [{type => 'roles', id => "$role{GLOBAL}"}]});
    (undef, $doc) = call($user{act_USER}, GET => "/api/contacts?filter[id]=$contact_ids&page[size]=100");
    is(ids_of($doc), $own, 'and its removal too');
}

# ---- undo: later tests see the demo data as it was
{
    my $users = join ',', map { $_->{id} } values %user;
    my $roles = join ',', values %role;
    my $units = join ',', values %unit;
    sql("DELETE FROM orocrm_contact WHERE id IN ($contact_ids) OR last_name LIKE '$tag %'");
    sql("DELETE FROM orocrm_account WHERE id = $account OR owner_id IN ($users)");
    sql("DELETE FROM oro_product WHERE id IN ($product{A}, $product{B})");
    sql("DELETE FROM oro_acl_grant WHERE role LIKE 'ROLE_ACL_%_$tag'");
    sql("DELETE FROM oro_user_access_role WHERE user_id IN ($users) OR role_id IN ($roles)");
    sql("DELETE FROM oro_user_organization WHERE user_id IN ($users) OR organization_id IN ($orgA, $orgB)");
    sql("DELETE FROM oro_user_api_key WHERE user_id IN ($users)");
    sql("DELETE FROM oro_user WHERE id IN ($users)");
    sql("DELETE FROM oro_access_role WHERE id IN ($roles)");
    sql("UPDATE oro_business_unit SET parent_id = NULL WHERE id IN ($units)");
    sql("DELETE FROM oro_business_unit WHERE id IN ($units)");
    sql("DELETE FROM oro_organization WHERE id IN ($orgA, $orgB)");
    sql("UPDATE oro_acl_version SET version = version + 1 WHERE id = 1");
    is(scalar(sql("SELECT id FROM oro_user WHERE id IN ($users)")), 0, 'the matrix left no user behind');
}

done_testing();
