# The JSON:API's related resources (GET /api/{type}/{id}/{relation}), relationship
# endpoints (GET/PATCH/POST/DELETE /api/{type}/{id}/relationships/{relation}) for every
# relation kind, and bulk delete (DELETE /api/{type}?filter…). Every change is checked
# in the database and undone, so that later tests see the demo data as it was.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;

my $JSONAPI = 'application/vnd.api+json';
sub call {
    my ($method, $path, $body, $headers) = @_;
    my %h = (Accept => $JSONAPI, %{ $headers || {} });
    my %opts = (headers => \%h);
    if (defined $body) {
        $h{'Content-Type'} ||= $JSONAPI;
        $opts{content} = ref $body ? encode_json($body) : $body;
    }
    my $res = http($method, $path, \%opts);
    return ($res, json_of($res));
}
sub ids { [map { $_->{id} } @{ $_[0]{data} }] }
sub idents { my $type = shift; return {data => [map { {type => $type, id => "$_"} } @_]} }
sub pointers { [map { $_->{source}{pointer} } @{ $_[0]{errors} }] }

# --- related resources: many-to-one
my ($contact, $account) = split /\t/,
    (sql("SELECT id, account_id FROM orocrm_contact WHERE account_id IS NOT NULL ORDER BY id LIMIT 1"))[0];
my ($res, $doc) = call(GET => "/api/contacts/$contact/account");
is($res->{status}, 200, 'GET contacts/{id}/account') or diag $res->{content};
is($doc->{data}{type}, 'accounts', 'the related resource');
is($doc->{data}{id}, $account, 'the contact\'s account');
ok(exists $doc->{data}{attributes}{name}, 'with its attributes');
($res, $doc) = call(GET => "/api/contacts/$contact/account?include=owner&fields[accounts]=name,owner");
is_deeply([keys %{ $doc->{data}{attributes} }], ['name'], 'fields[] on the related resource');
is($doc->{included}[0]{type}, 'users', 'include on the related resource');
my ($lonely) = sql("SELECT id FROM orocrm_contact WHERE account_id IS NULL ORDER BY id LIMIT 1");
($res, $doc) = call(GET => "/api/contacts/$lonely/account");
is($res->{status}, 200, 'a contact without an account');
ok(exists $doc->{data} && !defined $doc->{data}, 'data is null');
($res, $doc) = call(GET => "/api/contacts/$lonely");
ok(!defined $doc->{data}{relationships}{account}{data}, 'a NULL column is null on every database');
($res) = call(GET => '/api/contacts/99999999/account');
is($res->{status}, 404, 'related resource of a missing record is 404');
($res) = call(GET => "/api/contacts/$contact/nope");
is($res->{status}, 404, 'an unknown association is 404');
($res) = call(GET => "/api/contacts/$contact/account/more");
is($res->{status}, 404, 'a deeper path is 404');

# --- related resources: one-to-many, with the list's parameters
my ($big) = sql("SELECT account_id FROM orocrm_contact WHERE account_id IS NOT NULL GROUP BY account_id
                 HAVING COUNT(*) >= 3 ORDER BY COUNT(*) DESC, account_id LIMIT 1");
my @members = sql("SELECT id FROM orocrm_contact WHERE account_id = $big ORDER BY id");
($res, $doc) = call(GET => "/api/accounts/$big/contacts?sort=id&page[size]=100");
is($res->{status}, 200, 'GET accounts/{id}/contacts') or diag $res->{content};
is_deeply(ids($doc), \@members, 'exactly the account\'s contacts');
($res, $doc) = call(GET => "/api/accounts/$big/contacts?sort=-id&page[size]=2", undef, {'X-Include' => 'totalCount'});
is_deeply(ids($doc), [(reverse @members)[0, 1]], 'sort and page');
is($res->{headers}{'x-include-total-count'}, scalar @members, 'totalCount of the related records');
like($doc->{links}{next}, qr{/api/accounts/$big/contacts\?.*page\[number\]=2}, 'links point at the related URL');
($res, $doc) = call(GET => "/api/accounts/$big/contacts?filter[id][gt]=$members[0]&sort=id&page[size]=100");
is_deeply(ids($doc), [@members[1 .. $#members]], 'filters AND the relation');
($res, $doc) = call(GET => "/api/accounts/$big/contacts?fields[contacts]=firstName,owner&include=owner&meta=title&page[size]=1");
is_deeply([keys %{ $doc->{data}[0]{attributes} }], ['firstName'], 'fields[] on related records');
ok($doc->{data}[0]{meta}{title}, 'meta=title');
ok((grep { $_->{type} eq 'users' } @{ $doc->{included} }), 'include on related records');
($res, $doc) = call(GET => "/api/accounts/$big/contacts?filter[nope]=1");
is($res->{status}, 400, 'parameters are checked against the target type');
($res) = call(GET => '/api/accounts/99999999/contacts');
is($res->{status}, 404, 'related records of a missing record is 404');

# --- related resources: many-to-many, both sides
# NB: not the administrator the test runs as: replacing its roles would take away the rights
# the test needs to put them back
my ($user) = sql("SELECT user_id FROM oro_user_access_role WHERE user_id <> (SELECT id FROM oro_user
                  WHERE username = 'admin') GROUP BY user_id ORDER BY user_id LIMIT 1");
my @user_roles = sql("SELECT role_id FROM oro_user_access_role WHERE user_id = $user ORDER BY role_id");
($res, $doc) = call(GET => "/api/users/$user/roles?sort=id");
is($res->{status}, 200, 'GET users/{id}/roles');
is_deeply(ids($doc), \@user_roles, 'many-to-many related records');
my $role = $user_roles[0];
my @role_users = sql("SELECT user_id FROM oro_user_access_role WHERE role_id = $role ORDER BY user_id");
($res, $doc) = call(GET => "/api/roles/$role/users?sort=id&page[size]=100");
is_deeply(ids($doc), [@role_users[0 .. ($#role_users < 99 ? $#role_users : 99)]], 'the inverse side');

# --- relationship GET
($res, $doc) = call(GET => "/api/contacts/$contact/relationships/account");
is($res->{status}, 200, 'GET relationships/account');
is_deeply($doc->{data}, {type => 'accounts', id => "$account"}, 'to-one linkage');
like($doc->{links}{related}, qr{/api/contacts/$contact/account$}, 'related link');
($res, $doc) = call(GET => "/api/contacts/$lonely/relationships/account");
ok(exists $doc->{data} && !defined $doc->{data}, 'null linkage') or diag $res->{status}, $res->{content};
($res, $doc) = call(GET => "/api/accounts/$big/relationships/contacts");
is_deeply(ids($doc), \@members, 'to-many linkage');
is($doc->{data}[0]{type}, 'contacts', 'of resource identifiers');
($res, $doc) = call(GET => "/api/users/$user/relationships/roles");
is_deeply(ids($doc), \@user_roles, 'many-to-many linkage');
($res) = call(GET => "/api/contacts/$contact/relationships/nope");
is($res->{status}, 404, 'an unknown relationship is 404');
($res) = call(GET => '/api/contacts/99999999/relationships/account');
is($res->{status}, 404, 'the relationship of a missing record is 404');

# --- many-to-one: PATCH
my ($other) = sql("SELECT id FROM orocrm_account WHERE id <> $account ORDER BY id LIMIT 1");
my $rel = "/api/contacts/$contact/relationships/account";
($res) = call(PATCH => $rel, {data => {type => 'accounts', id => "$other"}});
is($res->{status}, 204, 'PATCH a to-one relationship') or diag $res->{content};
is((sql("SELECT account_id FROM orocrm_contact WHERE id = $contact"))[0], $other, 'the column changed');
($res) = call(PATCH => $rel, {data => undef});
is($res->{status}, 204, 'PATCH to null');
is((sql("SELECT COUNT(*) FROM orocrm_contact WHERE id = $contact AND account_id IS NULL"))[0], 1, 'the column is NULL');
($res, $doc) = call(PATCH => $rel, {data => {type => 'users', id => "$other"}});
is($res->{status}, 400, 'a wrong type is 400');
is_deeply(pointers($doc), ['/data/type'], 'pointing at /data/type');
($res, $doc) = call(PATCH => $rel, {data => {type => 'accounts', id => '99999999'}});
is($res->{status}, 400, 'a missing target is 400');
is_deeply(pointers($doc), ['/data'], 'pointing at /data');
($res, $doc) = call(PATCH => $rel, {data => {type => 'accounts', id => 7}});
is($res->{status}, 400, 'a numeric id is 400');
($res, $doc) = call(PATCH => $rel, '{"data": ');
is($res->{status}, 400, 'malformed JSON is 400');
($res, $doc) = call(PATCH => $rel, {data => {type => 'accounts', id => "$account"}}, {'Content-Type' => 'text/plain'});
is($res->{status}, 415, 'the media type is checked');
($res) = call(PATCH => $rel, {data => {type => 'accounts', id => "$account"}});
is($res->{status}, 204, 'PATCH back');
is((sql("SELECT account_id FROM orocrm_contact WHERE id = $contact"))[0], $account, 'restored');
($res) = call(POST => $rel, idents(accounts => $account));
is($res->{status}, 405, 'POST on a to-one relationship is 405');
is($res->{headers}{allow}, 'GET, PATCH, HEAD', 'Allow: GET, PATCH, HEAD');
($res) = call(DELETE => $rel, idents(accounts => $account));
is($res->{status}, 405, 'DELETE on a to-one relationship is 405');
my ($order, $order_account) = split /\t/, (sql("SELECT id, account_id FROM oro_order ORDER BY id LIMIT 1"))[0];
($res, $doc) = call(PATCH => "/api/orders/$order/relationships/account", {data => undef});
is($res->{status}, 400, 'a required to-one set to null is 400');
is_deeply(pointers($doc), ['/data'], 'pointing at /data');
is((sql("SELECT account_id FROM oro_order WHERE id = $order"))[0], $order_account, 'unchanged');

# --- one-to-many: move a contact between accounts
my $to_many = "/api/accounts/$other/relationships/contacts";
my @other_before = sql("SELECT id FROM orocrm_contact WHERE account_id = $other ORDER BY id");
($res) = call(POST => $to_many, idents(contacts => $contact));
is($res->{status}, 204, 'POST adds a member') or diag $res->{content};
is((sql("SELECT account_id FROM orocrm_contact WHERE id = $contact"))[0], $other, 'the contact moved');
($res, $doc) = call(GET => $to_many);
ok((grep { $_ eq $contact } @{ ids($doc) }), 'it is in the linkage');
($res) = call(DELETE => $to_many, idents(contacts => $contact));
is($res->{status}, 204, 'DELETE removes a member');
is((sql("SELECT COUNT(*) FROM orocrm_contact WHERE id = $contact AND account_id IS NULL"))[0], 1, 'its account is NULL');
($res) = call(PATCH => "/api/accounts/$account/relationships/contacts",
              idents(contacts => $contact, sql("SELECT id FROM orocrm_contact WHERE account_id = $account")));
is($res->{status}, 204, 'PATCH replaces the members');
is((sql("SELECT account_id FROM orocrm_contact WHERE id = $contact"))[0], $account, 'the contact is back');
is_deeply([sql("SELECT id FROM orocrm_contact WHERE account_id = $other ORDER BY id")], \@other_before,
          'the other account is as it was');
($res, $doc) = call(POST => $to_many, idents(contacts => 99999999));
is($res->{status}, 400, 'a missing member is 400');
is_deeply(pointers($doc), ['/data/0'], 'pointing at /data/0');
($res, $doc) = call(POST => $to_many, {data => [{type => 'contacts', id => "$contact"}, {type => 'accounts', id => '1'}]});
is($res->{status}, 400, 'a wrong type among the members is 400');
is_deeply(pointers($doc), ['/data/1/type'], 'pointing at /data/1/type');
($res, $doc) = call(POST => $to_many, {data => {type => 'contacts', id => "$contact"}});
is($res->{status}, 400, 'a to-many relationship takes an array');
is((sql("SELECT account_id FROM orocrm_contact WHERE id = $contact"))[0], $account, 'nothing changed');
# orders cannot exist without their account
my $orders = "/api/accounts/$order_account/relationships/orders";
($res, $doc) = call(DELETE => $orders, idents(orders => $order));
is($res->{status}, 400, 'removing a member whose inverse is required is 400');
($res, $doc) = call(PATCH => $orders, {data => []});
is($res->{status}, 400, 'so is a PATCH that leaves members out');
is((sql("SELECT account_id FROM oro_order WHERE id = $order"))[0], $order_account, 'the order kept its account');

# --- many-to-many: users.roles
my $roles = "/api/users/$user/relationships/roles";
my ($extra) = sql("SELECT id FROM oro_access_role WHERE id NOT IN (" . join(',', @user_roles) . ") ORDER BY id LIMIT 1");
sub roles_of { [sql("SELECT role_id FROM oro_user_access_role WHERE user_id = $_[0] ORDER BY role_id")] }
($res) = call(POST => $roles, idents(roles => $extra, $user_roles[0]));
is($res->{status}, 204, 'POST adds roles') or diag $res->{content};
is_deeply(roles_of($user), [sort { $a <=> $b } @user_roles, $extra], 'the new join row, none duplicated');
($res) = call(POST => $roles, idents(roles => $extra));
is($res->{status}, 204, 'adding a member twice is fine');
is_deeply(roles_of($user), [sort { $a <=> $b } @user_roles, $extra], 'still one join row');
($res) = call(DELETE => $roles, idents(roles => $extra));
is($res->{status}, 204, 'DELETE removes a role');
is_deeply(roles_of($user), \@user_roles, 'the join row is gone');
($res) = call(PATCH => $roles, idents(roles => $extra));
is($res->{status}, 204, 'PATCH replaces the roles');
is_deeply(roles_of($user), [$extra], 'only the new join row');
($res, $doc) = call(POST => $roles, idents(roles => 99999999));
is($res->{status}, 400, 'a missing role is 400');
is_deeply(pointers($doc), ['/data/0'], 'pointing at /data/0');
($res) = call(PATCH => $roles, idents(roles => @user_roles));
is($res->{status}, 204, 'PATCH back');
is_deeply(roles_of($user), \@user_roles, 'the roles are as they were');
# the inverse side writes the same join table
($res) = call(POST => "/api/roles/$extra/relationships/users", idents(users => $user));
is($res->{status}, 204, 'POST on the inverse side');
is_deeply(roles_of($user), [sort { $a <=> $b } @user_roles, $extra], 'the join row');
($res) = call(DELETE => "/api/roles/$extra/relationships/users", idents(users => $user));
is_deeply(roles_of($user), \@user_roles, 'and gone again');

# --- many-to-many: products.categories
my $product = (sql("SELECT id FROM oro_product ORDER BY id LIMIT 1"))[0];
sub categories_of { [sql("SELECT category_id FROM oro_product_category WHERE product_id = $_[0] ORDER BY category_id")] }
my $categories_before = categories_of($product);
my @two = sql("SELECT id FROM oro_catalog_category ORDER BY id LIMIT 2");
my $categories = "/api/products/$product/relationships/categories";
($res) = call(PATCH => $categories, {data => []});
is($res->{status}, 204, 'PATCH to no categories');
is_deeply(categories_of($product), [], 'no join rows');
($res) = call(POST => $categories, idents(categories => @two));
is($res->{status}, 204, 'POST two categories');
is_deeply(categories_of($product), \@two, 'two join rows');
($res) = call(DELETE => $categories, idents(categories => $two[0]));
is_deeply(categories_of($product), [$two[1]], 'DELETE one');
($res, $doc) = call(GET => "/api/products/$product/categories");
is_deeply(ids($doc), [$two[1]], 'the related records follow');
($res) = call(PATCH => $categories, idents(categories => @$categories_before));
is($res->{status}, 204, 'PATCH back');
is_deeply(categories_of($product), $categories_before, 'the categories are as they were');

# --- methods
($res) = call(PUT => "/api/accounts/$big/contacts", {});
is($res->{status}, 405, 'PUT on related records is 405');
is($res->{headers}{allow}, 'GET, HEAD', 'Allow: GET, HEAD');
($res) = call(PUT => $roles, {});
is($res->{headers}{allow}, 'GET, PATCH, POST, DELETE, HEAD', 'Allow of a to-many relationship');
($res) = call(PUT => '/api/contacts', {});
is($res->{headers}{allow}, 'GET, POST, DELETE, HEAD', 'Allow of a collection');
($res) = call(POST => "/api/contacts/$contact", {});
is($res->{headers}{allow}, 'GET, PATCH, DELETE, HEAD', 'Allow of a record');

# --- bulk delete
my $contacts = (sql("SELECT COUNT(*) FROM orocrm_contact"))[0];
($res, $doc) = call(DELETE => '/api/contacts');
is($res->{status}, 400, 'bulk delete without a filter is 400');
is($doc->{errors}[0]{source}{parameter}, 'filter', 'pointing at filter');
($res, $doc) = call(DELETE => '/api/contacts?filter[id][gt]=0');
is($res->{status}, 400, 'more than 100 matches is 400');
like($doc->{errors}[0]{detail}, qr/\b$contacts\b.*\b100\b/, 'saying how many and the limit');
($res, $doc) = call(DELETE => '/api/contacts?filter[nope]=1');
is($res->{status}, 400, 'an unknown filter is 400');
is((sql("SELECT COUNT(*) FROM orocrm_contact"))[0], $contacts, 'nothing deleted');

my ($org, $owner) = split /\t/, (sql("SELECT organization_id, owner_id FROM orocrm_contact WHERE id = 1"))[0];
my %owned = (owner => {data => {type => 'users', id => "$owner"}},
             organization => {data => {type => 'organizations', id => "$org"}});
my $tag = 'Bulk' . $$;
my @created;
for my $n (1 .. 3) {
    ($res, $doc) = call(POST => '/api/contacts', {data => {type => 'contacts',
        attributes => {firstName => "F$n", lastName => $tag}, relationships => \%owned}});
    push @created, $doc->{data}{id};
}
is(scalar(grep { defined } @created), 3, 'three contacts created');
($res) = call(DELETE => "/api/contacts?filter[lastName]=$tag", undef, {'X-Include' => 'deletedCount'});
is($res->{status}, 204, 'a filtered bulk delete is 204') or diag $res->{content};
is($res->{headers}{'x-include-deleted-count'}, 3, 'X-Include-Deleted-Count');
is((sql("SELECT COUNT(*) FROM orocrm_contact WHERE last_name = '$tag'"))[0], 0, 'deleted');

# a record still referenced: 409, and the unreferenced one of the same request stays
($res, $doc) = call(POST => '/api/accounts', {data => {type => 'accounts', attributes => {name => $tag},
                                                         relationships => \%owned}});
my $spare = $doc->{data}{id};
ok($spare, 'an account created');
($res) = call(DELETE => "/api/accounts?filter[id]=$spare,$order_account");
is($res->{status}, 409, 'a referenced record in a bulk delete is 409');
is((sql("SELECT COUNT(*) FROM orocrm_account WHERE id IN ($spare, $order_account)"))[0], 2, 'nothing deleted');
($res) = call(DELETE => "/api/accounts/$spare");
is($res->{status}, 204, 'cleaned up');

# a one-to-many whose members must keep their owner (line items of an order): the
# relationship endpoint refuses to drop any (400), and nothing moves
{
    my ($order) = sql('SELECT order_id FROM oro_order_line_item GROUP BY order_id HAVING COUNT(*) > 1 ORDER BY order_id LIMIT 1');
    my @items = sql("SELECT id FROM oro_order_line_item WHERE order_id = $order ORDER BY id");
    my ($r, $d) = call(PATCH => "/api/orders/$order/relationships/lineItems", idents('orderlineitems'));
    is($r->{status}, 400, 'emptying the line items of an order is 400');
    like($d->{errors}[0]{detail}, qr/leaves out ${\ scalar @items} current members/, 'it counts them')
        or diag $r->{content};
    ($r, $d) = call(PATCH => "/api/orders/$order/relationships/lineItems", idents('orderlineitems', $items[0]));
    is($r->{status}, 400, 'keeping one of them is 400 too');
    like($d->{errors}[0]{detail}, qr/leaves out ${\ (@items - 1)} current member/, 'the others counted');
    ($r) = call(DELETE => "/api/orders/$order/relationships/lineItems", idents('orderlineitems', $items[0]));
    is($r->{status}, 400, 'removing one through DELETE is 400');
    ($r) = call(PATCH => "/api/orders/$order/relationships/lineItems", idents('orderlineitems', @items));
    is($r->{status}, 204, 'the same set is fine');
    is_deeply([sql("SELECT id FROM oro_order_line_item WHERE order_id = $order ORDER BY id")], \@items,
              'the line items stay');
}

done_testing;
