/* Test fixture: a shared object that exports no plugin entry symbol. */
#include <ids/plugin.h>

int not_a_plugin(void);

IDS_PLUGIN_EXPORT int not_a_plugin(void)
{
	return 42;
}
