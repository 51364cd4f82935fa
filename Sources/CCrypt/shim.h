// libxcrypt's crypt_r(3), which verifies the bcrypt ($2y$) hashes `htpasswd -B` writes.
#include <crypt.h>
