# Access through a parent (docs/security.md "Access control"): order line items
# (conf.d/entities/orderlineitem.json, "aclParent": "order") have no owner of their own; a
# caller may VIEW a line item when it may VIEW its order, and CREATE, EDIT or DELETE one
# when it may EDIT its order. The grants a role has on orderlineitems themselves count
# for nothing. Checked: list, read, include and related records both ways, relationship
# linkage, create, update, moving a line item to another order (document and relationship
# endpoint), adding one to an order from the order's side, delete, bulk delete, metadata,
# and the permissions API's refusal of grants on orderlineitems.
#
# Data: organizations A (units A1, A2) and B (B0); a role like the seeded ROLE_USER (VIEW
# BUSINESS_UNIT, the rest USER) held by u1 and u2 in A1, u3 in A2 and ub in B0; a role
# granting only orderlineitems (GLOBAL) held by lo in A1; an order of each of u1, u2, u3
# and ub with two line items each. So u1 views the orders (and line items) of u1 and u2
# and changes those of u1 only.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use OroTest;
use OroTest qw(call create ident api_user);

my $tag = sprintf('%x%x', $$, time % 100000);

sub set { return join ',', sort { $a <=> $b } @_ }
sub ids_of { my ($doc) = @_; return set(map { $_->{id} } @{ $doc->{data} || [] }) }
sub included { my ($doc, $type) = @_; return set(map { $_->{id} } grep { $_->{type} eq $type } @{ $doc->{included} || [] }) }

# ---- organizations, units, roles, users
my $orgA = create(organizations => {name => "ACLP A $tag"});
my $orgB = create(organizations => {name => "ACLP B $tag"});
my %unit;
$unit{A1} = create(businessunits => {name => "ACLP A1 $tag"}, {organization => ident(organizations => $orgA)});
$unit{A2} = create(businessunits => {name => "ACLP A2 $tag"}, {organization => ident(organizations => $orgA)});
$unit{B0} = create(businessunits => {name => "ACLP B0 $tag"}, {organization => ident(organizations => $orgB)});

my $role_user = "ROLE_ACLP_USER_$tag";
my $role_items = "ROLE_ACLP_ITEMS_$tag";
my %role;
$role{user} = create(roles => {role => $role_user, label => $role_user});
{
    my ($res) = call(undef, PATCH => "/api/roles/$role{user}/permissions",
        {data => {type => 'rolepermissions', id => "$role{user}", attributes => {permissions => {'*' => {
            VIEW => 'BUSINESS_UNIT', CREATE => 'USER', EDIT => 'USER', DELETE => 'USER', ASSIGN => 'USER'}}}}});
    is($res->{status}, 200, 'the user-like role has its grants') or diag $res->{content};
}
# grants on the line items alone, nothing on orders: written straight into the table (the
# permissions API refuses grants that count for nothing: checked at the end), as a database carried
# over from before the line items followed their order would hold them
$role{items} = create(roles => {role => $role_items, label => $role_items});
sql("INSERT INTO oro_acl_grant (role, entity, permission, access_level) VALUES "
    . join(', ', map { "('$role_items', 'orderlineitems', '$_', 'GLOBAL')" } qw(VIEW CREATE EDIT DELETE)));
sql("UPDATE oro_acl_version SET version = version + 1 WHERE id = 1");

my %user;
sub make_user {
    my ($key, $unit, $org, $role_name) = @_;
    $user{$key} = {%{ api_user(lc "aclp_${key}_$tag", $role_name, $org, $unit{$unit}) }, org => $org};
}
make_user('u1', 'A1', $orgA, $role_user);
make_user('u2', 'A1', $orgA, $role_user);
make_user('u3', 'A2', $orgA, $role_user);
make_user('ub', 'B0', $orgB, $role_user);
make_user('lo', 'A1', $orgA, $role_items);

# ---- orders (one per owner) with two line items each, made by admin
my %account = (
    A => create(accounts => {name => "ACLP account A $tag"},
        {owner => ident(users => $user{u1}{id}), organization => ident(organizations => $orgA)}),
    B => create(accounts => {name => "ACLP account B $tag"},
        {owner => ident(users => $user{ub}{id}), organization => ident(organizations => $orgB)}));
my @ORDERS = qw(u1 u2 u3 ub);
my (%order, %items);
for my $o (@ORDERS) {
    my $org = $user{$o}{org};
    $order{$o} = create(orders => {identifier => "ACLP-$tag-$o"},
        {account => ident(accounts => $org eq $orgA ? $account{A} : $account{B}),
         owner => ident(users => $user{$o}{id}), organization => ident(organizations => $org)});
    $items{$o} = [map { create(orderlineitems => {productSku => "ACLP-$tag-$o-$_", quantity => $_, price => '2.50'},
                                {order => ident(orders => $order{$o})}) } 1, 2];
}
my $order_ids = join ',', values %order;
my $item_ids = join ',', map { @{ $items{$_} } } @ORDERS;
sub items_of { return set(map { @{ $items{$_} } } @_) }
sub order_of_item { my ($id) = @_; return (sql("SELECT order_id FROM oro_order_line_item WHERE id = $id"))[0] }
sub stored_items { return set(sql("SELECT id FROM oro_order_line_item WHERE order_id IN ($order_ids)")) }
sub line_item {
    my ($order_id, $sku) = @_;
    return {data => {type => 'orderlineitems', attributes => {productSku => $sku, quantity => 1, price => '1.00'},
                     relationships => {order => ident(orders => $order_id)}}};
}

# ======== u1: views the line items of u1's and u2's orders, changes u1's
my $u1 = $user{u1};
{
    my ($res, $doc) = call($u1, GET => "/api/orderlineitems?filter[id]=$item_ids&page[size]=100");
    is($res->{status}, 200, 'u1: the list answers');
    is(ids_of($doc), items_of(qw(u1 u2)), 'u1: the list holds the line items of the orders u1 may view');
    ($res) = call($u1, GET => '/api/orderlineitems?page[size]=1', undef, {'X-Include' => 'totalCount'});
    is($res->{headers}{'x-include-total-count'}, 4, 'u1: unfiltered, only those four exist for u1 (no other organization leaks)');
    ($res, $doc) = call($u1, GET => "/api/orderlineitems?filter[order]=$order{ub},$order{u3}");
    is(ids_of($doc), '', 'u1: filtering by orders out of reach gives nothing');

    my @reads = map { my $o = $_; map { [$o, $_, (call($u1, GET => "/api/orderlineitems/$_"))[0]{status}] } @{ $items{$o} } } @ORDERS;
    is_deeply([map { "$_->[0]/$_->[1]:$_->[2]" } @reads],
              [map { "$_->[0]/$_->[1]:" . ($_->[0] =~ /^u[12]$/ ? 200 : 404) } @reads],
              'u1: a line item reads 200 when its order is viewable, 404 otherwise');

    # from the orders' side
    ($res, $doc) = call($u1, GET => "/api/orders?filter[id]=$order_ids&include=lineItems&page[size]=100");
    is(ids_of($doc), set(@order{qw(u1 u2)}), 'u1: the orders u1 may view');
    is(included($doc, 'orderlineitems'), items_of(qw(u1 u2)), 'u1: include=lineItems holds their line items only');
    for my $o (qw(u1 u2)) {
        ($res, $doc) = call($u1, GET => "/api/orders/$order{$o}?include=lineItems");
        is(included($doc, 'orderlineitems'), items_of($o), "u1: include=lineItems of the order of $o");
        is(set(map { $_->{id} } @{ $doc->{data}{relationships}{lineItems}{data} || [] }), items_of($o),
           "u1: and its linkage");
        ($res, $doc) = call($u1, GET => "/api/orders/$order{$o}/lineItems?page[size]=100");
        is(ids_of($doc), items_of($o), "u1: orders/{id}/lineItems of the order of $o");
        ($res, $doc) = call($u1, GET => "/api/orders/$order{$o}/relationships/lineItems");
        is(ids_of($doc), items_of($o), "u1: orders/{id}/relationships/lineItems of the order of $o");
    }
    for my $o (qw(u3 ub)) {
        ($res) = call($u1, GET => "/api/orders/$order{$o}/lineItems");
        is($res->{status}, 404, "u1: the line items of the order of $o are 404");
        ($res) = call($u1, GET => "/api/orders/$order{$o}/relationships/lineItems");
        is($res->{status}, 404, "u1: so is their linkage");
    }
    # from the line items' side
    ($res, $doc) = call($u1, GET => "/api/orderlineitems?filter[id]=$item_ids&include=order&page[size]=100");
    is(included($doc, 'orders'), set(@order{qw(u1 u2)}), 'u1: include=order holds the viewable orders');
    ($res, $doc) = call($u1, GET => "/api/orderlineitems/$items{u2}[0]/order");
    is($doc->{data}{id}, $order{u2}, 'u1: orderlineitems/{id}/order');
    ($res, $doc) = call($u1, GET => "/api/orderlineitems/$items{u2}[0]/relationships/order");
    is($doc->{data}{id}, $order{u2}, 'u1: orderlineitems/{id}/relationships/order');
    ($res) = call($u1, GET => "/api/orderlineitems/$items{ub}[0]/order");
    is($res->{status}, 404, 'u1: the order of a line item out of reach is 404');

    # the metadata: the line items' permissions derived from the order's
    ($res, $doc) = call($u1, GET => '/api/metadata');
    my ($items_meta) = grep { $_->{id} eq 'orderlineitems' } @{ $doc->{data} || [] };
    is($items_meta->{attributes}{aclParent}, 'order', 'u1: metadata names the parent of orderlineitems');
    my %meta = map { $_->{id} => $_->{attributes}{permissions} } @{ $doc->{data} || [] };
    is_deeply($meta{orders}, {VIEW => 'BUSINESS_UNIT', CREATE => 'USER', EDIT => 'USER', DELETE => 'USER', ASSIGN => 'USER'},
              'u1: metadata of orders');
    is_deeply($meta{orderlineitems}, {VIEW => 'BUSINESS_UNIT', CREATE => 'USER', EDIT => 'USER', DELETE => 'USER', ASSIGN => 'NONE'},
              'u1: metadata of orderlineitems: VIEW from the order\'s VIEW, the rest from its EDIT, no ASSIGN');
}

# ======== lo: grants on orderlineitems only, none on orders: no line item at all
{
    my $lo = $user{lo};
    my ($res, $doc) = call($lo, GET => "/api/orderlineitems?filter[id]=$item_ids&page[size]=100",
                           undef, {'X-Include' => 'totalCount'});
    is(ids_of($doc), '', 'lo: the list is empty');
    is($res->{headers}{'x-include-total-count'}, 0, 'lo: totalCount 0');
    ($res) = call($lo, GET => "/api/orderlineitems/$items{u2}[0]");
    is($res->{status}, 404, 'lo: a line item of its unit is 404');
    ($res, $doc) = call($lo, GET => '/api/metadata');
    ok(!grep({ $_->{id} eq 'orderlineitems' || $_->{id} eq 'orders' } @{ $doc->{data} || [] }),
       'lo: metadata lists neither orders nor their line items');
    my $before = stored_items();
    ($res) = call($lo, POST => '/api/orderlineitems', line_item($order{u2}, "ACLP-$tag-lo"));
    is($res->{status}, 403, 'lo: creating a line item is 403');
    ($res) = call($lo, PATCH => "/api/orderlineitems/$items{u2}[0]",
        {data => {type => 'orderlineitems', id => "$items{u2}[0]", attributes => {comment => "by lo $tag"}}});
    is($res->{status}, 404, 'lo: PATCH is 404');
    ($res) = call($lo, DELETE => "/api/orderlineitems/$items{u2}[0]");
    is($res->{status}, 404, 'lo: DELETE is 404');
    ($res) = call($lo, DELETE => "/api/orderlineitems?filter[id]=$item_ids", undef, {'X-Include' => 'deletedCount'});
    is($res->{headers}{'x-include-deleted-count'}, 0, 'lo: bulk delete deletes nothing');
    is(stored_items(), $before, 'lo: every line item is still there');
    is(scalar(sql("SELECT id FROM oro_order_line_item WHERE comment = 'by lo $tag' OR product_sku = 'ACLP-$tag-lo'")), 0,
       'lo: and unchanged');
}

# ======== u1's changes
# -- create
my $new;
{
    my ($res, $doc) = call($u1, POST => '/api/orderlineitems', line_item($order{u1}, "ACLP-$tag-new-u1"));
    is($res->{status}, 201, 'u1: creates a line item in its own order') or diag $res->{content};
    $new = $doc->{data}{id};
    is($doc->{data}{relationships}{order}{data}{id}, $order{u1}, 'u1: in that order');
    my $before = stored_items();
    ($res, $doc) = call($u1, POST => '/api/orderlineitems', line_item($order{u2}, "ACLP-$tag-new-u2"));
    is($res->{status}, 403, 'u1: a line item in an order u1 may view but not edit is 403') or diag $res->{content};
    for my $o (qw(u3 ub)) {
        ($res, $doc) = call($u1, POST => '/api/orderlineitems', line_item($order{$o}, "ACLP-$tag-new-$o"));
        is($res->{status}, 400, "u1: a line item in the order of $o (out of view) is 400, as any invisible target")
            or diag $res->{content};
        is($doc->{errors}[0]{detail}, "orders \"$order{$o}\" does not exist", "u1: as if the order of $o did not exist");
        is($doc->{errors}[0]{source}{pointer}, '/data/relationships/order/data', 'u1: pointing at the relation');
    }
    is(stored_items(), $before, 'u1: no refused create stored anything');
    is(scalar(sql("SELECT id FROM oro_order_line_item WHERE product_sku LIKE 'ACLP-$tag-new-%'")), 1,
       'u1: only the line item of its own order exists');
}

# -- update
{
    my %expect = (u1 => 200, u2 => 403, u3 => 404, ub => 404);
    my @edits = map { [$_, (call($u1, PATCH => "/api/orderlineitems/$items{$_}[0]",
        {data => {type => 'orderlineitems', id => "$items{$_}[0]", attributes => {comment => "by u1 $tag"}}}))[0]{status}] } @ORDERS;
    is_deeply([map { "$_->[0]:$_->[1]" } @edits], [map { "$_:$expect{$_}" } @ORDERS],
              'u1: PATCH of a line item: 200 own order, 403 viewable order, 404 otherwise');
    is(set(sql("SELECT id FROM oro_order_line_item WHERE comment = 'by u1 $tag'")), set($items{u1}[0]),
       'u1: exactly its own line item changed');
}

# -- moving a line item to another order
{
    my $mine = $items{u1}[1];
    my ($res, $doc) = call($u1, PATCH => "/api/orderlineitems/$mine",
        {data => {type => 'orderlineitems', id => "$mine", relationships => {order => ident(orders => $order{u2})}}});
    is($res->{status}, 403, 'u1: moving its line item into an order it may not edit is 403') or diag $res->{content};
    is(order_of_item($mine), $order{u1}, 'u1: the line item stayed');
    ($res) = call($u1, PATCH => "/api/orderlineitems/$mine/relationships/order", ident(orders => $order{u2}));
    is($res->{status}, 403, 'u1: the same through relationships/order is 403') or diag $res->{content};
    is(order_of_item($mine), $order{u1}, 'u1: the line item stayed again');
    ($res, $doc) = call($u1, PATCH => "/api/orderlineitems/$mine/relationships/order", ident(orders => $order{ub}));
    is($res->{status}, 400, 'u1: moving it into an order out of view is 400');
    is($doc->{errors}[0]{detail}, "orders \"$order{ub}\" does not exist", 'u1: as if that order did not exist');
    is(order_of_item($mine), $order{u1}, 'u1: the line item stayed once more');
    ($res) = call($u1, PATCH => "/api/orderlineitems/$mine/relationships/order", ident(orders => $order{u1}));
    is($res->{status}, 204, 'u1: naming its own order is fine') or diag $res->{content};

    # taking u2's line item into u1's order changes u2's line item: refused on every path
    my $theirs = $items{u2}[1];
    ($res) = call($u1, PATCH => "/api/orderlineitems/$theirs/relationships/order", ident(orders => $order{u1}));
    is($res->{status}, 403, 'u1: moving a line item of an order it may not edit is 403') or diag $res->{content};
    ($res, $doc) = call($u1, POST => "/api/orders/$order{u1}/relationships/lineItems",
        {data => [{type => 'orderlineitems', id => "$theirs"}]});
    is($res->{status}, 403, 'u1: adding it to its order from the order\'s side: 403 (it can see the line item)') or diag $res->{content};
    is_deeply([map { $_->{source}{pointer} } @{ $doc->{errors} || [] }], ['/data/0'], 'u1: the refused one is named');
    ($res, $doc) = call($u1, PATCH => "/api/orders/$order{u1}",
        {data => {type => 'orders', id => "$order{u1}", relationships => {lineItems => {data =>
            [map { {type => 'orderlineitems', id => "$_"} } @{ $items{u1} }, $new, $theirs]}}}});
    # (refused for every caller: a document may not replace a one-to-many whose members
    # must keep their owner, so this path can never move a line item)
    is($res->{status}, 403, "u1: taking it through a PATCH of its order's lineItems is 403") or diag $res->{content};
    like($doc->{errors}[0]{detail}, qr/"lineItems" cannot be replaced on update/, 'u1: as lineItems never can be');
    # a new order naming it among its lineItems would take it out of u2's order just the same
    ($res, $doc) = call($u1, POST => '/api/orders',
        {data => {type => 'orders', attributes => {identifier => "ACLP-$tag-taker"},
                  relationships => {account => ident(accounts => $account{A}),
                                    lineItems => {data => [{type => 'orderlineitems', id => "$theirs"}]}}}});
    is($res->{status}, 403, 'u1: a new order taking a line item of an order it may not edit: 403')
        or diag $res->{content};
    like($doc->{errors}[0]{detail} // '', qr/you may not change orderlineitems "$theirs"/, 'u1: naming the line item');
    is(scalar(sql("SELECT id FROM oro_order WHERE identifier = 'ACLP-$tag-taker'")), 0, 'u1: no order was created');
    is(order_of_item($theirs), $order{u2}, 'u1: the line item of u2 stayed in its order');
    # put back whatever that did, so that a failure above does not spread to the checks below
    sql("UPDATE oro_order_line_item SET order_id = $order{u2} WHERE id = $theirs");
    sql("DELETE FROM oro_order WHERE identifier = 'ACLP-$tag-taker'");
    is(set(sql("SELECT id FROM oro_order_line_item WHERE order_id = $order{u1}")), set(@{ $items{u1} }, $new),
       'u1: its own order holds what it held');
}

# -- the same rule on any one-to-many named in a document: a member changes with it (its
# inverse column), so it needs EDIT; an account owned by u1 cannot take u2's contact
{
    my $contact = create(contacts => {firstName => 'Taken', lastName => "ACLP $tag"},
        {owner => ident(users => $user{u2}{id}), organization => ident(organizations => $orgA)});
    my $hidden = create(contacts => {firstName => 'Hidden', lastName => "ACLP $tag"},
        {owner => ident(users => $user{ub}{id}), organization => ident(organizations => $orgB)});
    my ($res, $doc) = call($u1, PATCH => "/api/accounts/$account{A}",
        {data => {type => 'accounts', id => "$account{A}",
                  relationships => {contacts => {data => [{type => 'contacts', id => "$contact"}]}}}});
    is($res->{status}, 403, "u1: PATCH of its account taking u2's contact: 403") or diag $res->{content};
    is($doc->{errors}[0]{source}{pointer}, '/data/relationships/contacts/data', 'u1: pointing at the set');
    ($res, $doc) = call($u1, POST => '/api/accounts',
        {data => {type => 'accounts', attributes => {name => "ACLP taker $tag"},
                  relationships => {contacts => {data => [{type => 'contacts', id => "$contact"}]}}}});
    is($res->{status}, 403, "u1: a new account taking u2's contact: 403") or diag $res->{content};
    ($res, $doc) = call($u1, PATCH => "/api/accounts/$account{A}",
        {data => {type => 'accounts', id => "$account{A}",
                  relationships => {contacts => {data => [{type => 'contacts', id => "$hidden"}]}}}});
    is($res->{status}, 400, "u1: taking a contact it cannot see: 400, as if missing");
    like($doc->{errors}[0]{detail} // '', qr/contacts "$hidden" does not exist/, 'u1: said so');
    is_deeply([sql("SELECT COALESCE(account_id, 0) FROM orocrm_contact WHERE id IN ($contact, $hidden)")], [0, 0],
              'u1: both contacts kept their (empty) account');
    is(scalar(sql("SELECT id FROM orocrm_account WHERE name = 'ACLP taker $tag'")), 0, 'u1: no account was created');
    sql("DELETE FROM orocrm_contact WHERE id IN ($contact, $hidden)");
}

# -- delete
{
    my %expect = (u2 => 403, u3 => 404, ub => 404);
    my @deletes = map { [$_, (call($u1, DELETE => "/api/orderlineitems/$items{$_}[0]"))[0]{status}] } sort keys %expect;
    is_deeply([map { "$_->[0]:$_->[1]" } @deletes], [map { "$_:$expect{$_}" } sort keys %expect],
              'u1: DELETE of a line item of an order it may not edit: 403 when viewable, else 404');
    my $before = stored_items();
    is($before, set((map { @{ $items{$_} } } @ORDERS), $new), 'u1: nothing was deleted');
    my ($res) = call($u1, DELETE => "/api/orderlineitems?filter[id]=$item_ids,$new", undef, {'X-Include' => 'deletedCount'});
    is($res->{status}, 204, 'u1: bulk delete answers 204') or diag $res->{content};
    is($res->{headers}{'x-include-deleted-count'}, 3, 'u1: deletedCount counts the line items of its own order');
    is(stored_items(), items_of(qw(u2 u3 ub)), 'u1: bulk delete removed exactly the line items of its own order');
}

# ======== admin: everything
{
    my ($res, $doc) = call(undef, GET => "/api/orderlineitems?filter[id]=$item_ids&page[size]=100");
    is(ids_of($doc), items_of(qw(u2 u3 ub)), 'admin: every line item left');
    ($res, $doc) = call(undef, GET => "/api/orders/$order{ub}?include=lineItems");
    is(included($doc, 'orderlineitems'), items_of('ub'), 'admin: include=lineItems in the other organization');
    ($res, $doc) = call(undef, GET => '/api/metadata');
    my ($meta) = grep { $_->{id} eq 'orderlineitems' } @{ $doc->{data} || [] };
    is_deeply($meta->{attributes}{permissions},
              {VIEW => 'GLOBAL', CREATE => 'GLOBAL', EDIT => 'GLOBAL', DELETE => 'GLOBAL', ASSIGN => 'NONE'},
              'admin: metadata of orderlineitems');
    ($res) = call(undef, PATCH => "/api/orderlineitems/$items{ub}[0]",
        {data => {type => 'orderlineitems', id => "$items{ub}[0]", relationships => {order => ident(orders => $order{u3})}}});
    is($res->{status}, 200, 'admin: moves a line item across organizations') or diag $res->{content};
    is(order_of_item($items{ub}[0]), $order{u3}, 'admin: moved');
}

# the permissions API refuses grants on the line items: they would count for nothing
{
    my ($res, $doc) = call(undef, PATCH => "/api/roles/$role{user}/permissions",
        {data => {type => 'rolepermissions', id => "$role{user}",
                  attributes => {permissions => {orderlineitems => {VIEW => 'GLOBAL'}}}}});
    is($res->{status}, 400, 'a grant on orderlineitems: 400');
    is($doc->{errors}[0]{source}{pointer}, '/data/attributes/permissions/orderlineitems', 'pointing at it');
    like($doc->{errors}[0]{detail} // '', qr/follows access to their order \(orders\)/, 'naming the order');
}

# ---- undo: later tests see the demo data as it was
{
    my $users = join ',', map { $_->{id} } values %user;
    my $roles = join ',', values %role;
    my $units = join ',', values %unit;
    sql("DELETE FROM oro_order_line_item WHERE order_id IN ($order_ids) OR product_sku LIKE 'ACLP-$tag-%'");
    sql("DELETE FROM oro_order WHERE id IN ($order_ids) OR identifier LIKE 'ACLP-$tag-%'");
    sql("DELETE FROM orocrm_account WHERE id IN ($account{A}, $account{B})");
    sql("DELETE FROM oro_acl_grant WHERE role IN ('$role_user', '$role_items')");
    sql("DELETE FROM oro_user_access_role WHERE user_id IN ($users) OR role_id IN ($roles)");
    sql("DELETE FROM oro_user_organization WHERE user_id IN ($users) OR organization_id IN ($orgA, $orgB)");
    sql("DELETE FROM oro_user_api_key WHERE user_id IN ($users)");
    sql("DELETE FROM oro_user WHERE id IN ($users)");
    sql("DELETE FROM oro_access_role WHERE id IN ($roles)");
    sql("DELETE FROM oro_business_unit WHERE id IN ($units)");
    sql("DELETE FROM oro_organization WHERE id IN ($orgA, $orgB)");
    sql("UPDATE oro_acl_version SET version = version + 1 WHERE id = 1");
    is(scalar(sql("SELECT id FROM oro_user WHERE id IN ($users)")), 0, 'the test left no user behind');
}

done_testing();
