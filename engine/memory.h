// Returning freed memory to the system.
#pragma once

namespace flamingo {

// Hands the whole free pages inside the heap back to the kernel (glibc's
// malloc_trim). Freed memory below the heap's top otherwise stays resident:
// a run that frees its resources one by one (ApplyPlanReleasing) and
// allocates again would keep both. Costs a walk of the free lists: call it
// after freeing much, not after every free. A no-op without glibc.
void ReturnFreedMemory();

}  // namespace flamingo
