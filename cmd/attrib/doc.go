// Command attrib finds where registered creative works appear: on web pages
// it crawls and in datasets it audits. See README.md and `attrib --help`.
package main
