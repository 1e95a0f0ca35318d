from tearsheet.cli import main

main()
