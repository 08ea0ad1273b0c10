/* mod_oro/auth_stub.c — TEMPORARY: no caller until the authentication branch is merged
 * (it defines oro_auth_principal in mod_oro/auth.c); with no caller nothing is restricted. */
#include "mod_oro.h"

#include "acl/acl.h"

const oro_principal_t *oro_auth_principal(request_rec *r);

const oro_principal_t *oro_auth_principal(request_rec *r)
{
    (void)r;
    return NULL;
}
