// The error mechanism lives in the public API (include/strata/status.h); the store and everything above it
// use that one type.
#pragma once

#include "strata/status.h"
